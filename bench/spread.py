"""Median and spread of repeated bench measurements, as the benchmark tables print them."""

from __future__ import annotations

import statistics


def spread_text(values: list[float], digits: int = 0) -> str:
    """``median [min-max]`` of ``values`` with ``digits`` decimals; the value alone when there is one."""
    med, lo, hi = statistics.median(values), min(values), max(values)
    return f"{med:,.{digits}f} [{lo:,.{digits}f}-{hi:,.{digits}f}]" if len(values) > 1 else f"{med:,.{digits}f}"

"""Real parts the tests start (SeaweedFS, Chromium, Dagster, a standalone Spark cluster, megatron-core).

Outside CI a missing part skips its tests with a reason that says how to get it.
In CI (``CI`` set to ``true``/``1``, as ``.ci/run`` does) a missing or failing
part fails the test instead: CI must never turn green by skipping.
"""

from __future__ import annotations

import importlib
import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Skip (outside CI) or fail (in CI) because a real part is missing."""
    if in_ci():
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require(available: bool, reason: str) -> None:
    if not available:
        unavailable(reason)


def require_module(name: str, reason: str):
    """Import ``name`` or skip/fail with ``reason``; returns the module."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        unavailable(f"{reason} ({e})")

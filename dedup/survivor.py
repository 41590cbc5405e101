"""The survivor rule: which document of a duplicate cluster is kept.

An order is a list of criteria, most important first. Each criterion is
either the keyword ``"licensed"`` (documents with ``source_kind ==
"licensed"`` first) or ``"<column> [asc|desc]"`` (ascending when the
direction is omitted). Nulls (and NaN) always sort last, whatever the
direction. ``doc_id asc`` is appended when the order does not name
``doc_id``, so the order is total and the choice deterministic.

Default (``DEFAULT_SURVIVOR_ORDER``): licensed sources first, then higher
``quality_score``, then earlier ``crawl_date``, then smaller ``doc_id``.

The same order is available as Spark sort expressions
(:meth:`SurvivorOrder.spark_sort`) and as a plain-Python sort key
(:meth:`SurvivorOrder.key`); both give the same ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

DEFAULT_SURVIVOR_ORDER: tuple[str, ...] = (
    "licensed",
    "quality_score desc",
    "crawl_date asc",
    "doc_id asc",
)

LICENSED = "licensed"

#: Float document columns: their NaN sorts as null.
FLOAT_COLUMNS: tuple[str, ...] = ("quality_score", "lang_score")


@dataclass(frozen=True)
class Criterion:
    """One sort criterion: a column and a direction (``licensed`` is a derived flag)."""

    column: str
    descending: bool = False

    @property
    def is_licensed_flag(self) -> bool:
        return self.column == LICENSED

    def spec(self) -> str:
        if self.is_licensed_flag:
            return LICENSED
        return f"{self.column} {'desc' if self.descending else 'asc'}"


class _Reversed:
    """Wraps a value so that it sorts in reverse (for descending criteria in Python)."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: "_Reversed") -> bool:
        return other.v < self.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.v == other.v

    def __hash__(self) -> int:
        return hash(self.v)


def _is_null(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class SurvivorOrder:
    """A total, deterministic order over documents; the first document of a cluster survives."""

    def __init__(self, criteria: Sequence[str | Criterion] = DEFAULT_SURVIVOR_ORDER) -> None:
        parsed = [c if isinstance(c, Criterion) else parse_criterion(c) for c in criteria]
        if not any(c.column == "doc_id" for c in parsed):
            parsed.append(Criterion("doc_id"))
        self.criteria: tuple[Criterion, ...] = tuple(parsed)

    @classmethod
    def from_config(cls, spec: "Sequence[str] | SurvivorOrder | None") -> "SurvivorOrder":
        if spec is None:
            return cls()
        if isinstance(spec, SurvivorOrder):
            return spec
        if isinstance(spec, str):
            spec = [spec]
        return cls(list(spec))

    def specs(self) -> list[str]:
        return [c.spec() for c in self.criteria]

    def columns(self) -> list[str]:
        """Document columns the order reads."""
        cols: list[str] = []
        for c in self.criteria:
            name = "source_kind" if c.is_licensed_flag else c.column
            if name not in cols:
                cols.append(name)
        return cols

    def key(self, row: Mapping[str, Any]) -> tuple:
        """Plain-Python sort key: ``sorted(rows, key=order.key)[0]`` is the survivor."""
        parts: list[tuple] = []
        for c in self.criteria:
            if c.is_licensed_flag:
                parts.append((0, 0 if row.get("source_kind") == "licensed" else 1))
                continue
            v = row.get(c.column)
            if _is_null(v):
                parts.append((1,))
            else:
                parts.append((0, _Reversed(v) if c.descending else v))
        return tuple(parts)

    def spark_sort(self, float_columns: Sequence[str] = FLOAT_COLUMNS) -> list:
        """Spark sort expressions for ``orderBy`` / ``Window.orderBy``.

        ``float_columns`` names float columns whose NaN must count as null
        (Spark otherwise sorts NaN above every number).
        """
        from pyspark.sql import functions as F

        exprs = []
        for c in self.criteria:
            if c.is_licensed_flag:
                exprs.append(F.when(F.col("source_kind") == F.lit("licensed"), F.lit(0)).otherwise(F.lit(1)).asc())
                continue
            col = F.col(c.column)
            if c.column in float_columns:
                col = F.when(F.isnan(col), F.lit(None)).otherwise(col)
            exprs.append(col.desc_nulls_last() if c.descending else col.asc_nulls_last())
        return exprs

    def __repr__(self) -> str:
        return f"SurvivorOrder({self.specs()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SurvivorOrder) and self.criteria == other.criteria


def parse_criterion(spec: str) -> Criterion:
    """``"licensed"`` or ``"<column> [asc|desc]"``."""
    parts = spec.split()
    if not parts or len(parts) > 2:
        raise ValueError(f"survivor order criterion must be '<column> [asc|desc]', got {spec!r}")
    if parts[0] == LICENSED:
        if len(parts) != 1:
            raise ValueError(f"'licensed' takes no direction, got {spec!r}")
        return Criterion(LICENSED)
    direction = parts[1].lower() if len(parts) == 2 else "asc"
    if direction not in ("asc", "desc"):
        raise ValueError(f"survivor order direction must be asc or desc, got {spec!r}")
    return Criterion(parts[0], descending=direction == "desc")

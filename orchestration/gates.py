"""Quality gates of a night: checks that must pass before its shards are published.

Settings (``[nightly.gates]``, all optional):

- ``min_korean_share`` (0.9): share of kept documents (after dedup) whose
  letters are at least ``korean_doc_min_hangul`` (0.5) Hangul. Catches a
  broken language filter or a drop of the wrong language.
- ``drop_rate_band`` (0.3) and ``trailing_runs`` (7): for each of ingest,
  filter and dedup, the night's drop rate ``(in - out) / in`` must be within
  ``drop_rate_band`` (absolute) of the mean over the last ``trailing_runs``
  published nights. With no published night yet the gate passes.
- ``min_output_documents`` (1): documents in the night's shards.
- ``deep_verify`` (true): shard checksums (sha256, size) and, when deep,
  rows and token counts, against the night's manifest.

A night with no new inputs has nothing to publish; its gates pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kocorpus.orchestration.nightly import Night

DROP_STAGES = ("ingest", "filter", "dedup")
HANGUL = "[\\uAC00-\\uD7A3\\u1100-\\u11FF\\u3130-\\u318F]"


@dataclass(frozen=True)
class GateSettings:
    min_korean_share: float = 0.9
    korean_doc_min_hangul: float = 0.5
    drop_rate_band: float = 0.3
    trailing_runs: int = 7
    min_output_documents: int = 1
    deep_verify: bool = True

    @classmethod
    def from_config(cls, table: dict[str, Any] | None) -> "GateSettings":
        table = dict(table or {})
        unknown = set(table) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"[nightly.gates]: unknown key(s) {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**table)


@dataclass
class GateResult:
    name: str
    passed: bool
    detail: str
    metadata: dict[str, Any] = field(default_factory=dict)


def korean_share(spark, night: Night, s: GateSettings) -> GateResult:
    from pyspark.sql import functions as F

    if night.empty:
        return GateResult("korean_share", True, "no new inputs")
    path = night.layout.kept_dir("dedup")
    if not path.exists():
        return GateResult("korean_share", False, "the night kept no documents")
    text = F.coalesce(F.col("text"), F.lit(""))
    letters = F.length(F.regexp_replace(text, "[^\\p{L}]", ""))
    hangul = F.length(F.regexp_replace(text, f"[^{HANGUL[1:-1]}]", ""))
    is_ko = F.when((letters > 0) & (hangul >= F.lit(s.korean_doc_min_hangul) * letters), 1).otherwise(0)
    row = spark.read.parquet(str(path)).agg(F.count(F.lit(1)).alias("n"), F.sum(is_ko).alias("ko")).first()
    n, ko = int(row["n"]), int(row["ko"] or 0)
    share = ko / n if n else 0.0
    ok = n > 0 and share >= s.min_korean_share
    return GateResult(
        "korean_share",
        ok,
        f"{share:.3f} of {n} kept documents are Korean (floor {s.min_korean_share})",
        {"share": round(share, 4), "documents": n, "floor": s.min_korean_share},
    )


def drop_rates(stats: dict[str, dict]) -> dict[str, float]:
    """(in - out) / in per stage, for the stages with input."""
    out = {}
    for name in DROP_STAGES:
        st = stats.get(name) or {}
        if st.get("in"):
            out[name] = (st["in"] - st["out"]) / st["in"]
    return out


def drop_rate_band(night: Night, trailing: list[Night], s: GateSettings) -> GateResult:
    if night.empty:
        return GateResult("drop_rate_band", True, "no new inputs")
    mine = drop_rates(night.stats())
    history = [drop_rates(t.stats()) for t in trailing[-s.trailing_runs :]]
    history = [h for h in history if h]
    meta: dict[str, Any] = {"rates": {k: round(v, 4) for k, v in mine.items()}, "trailing_nights": len(history)}
    if not history:
        return GateResult("drop_rate_band", True, "no published night to compare with yet", meta)
    problems = []
    means = {}
    for stage, rate in mine.items():
        past = [h[stage] for h in history if stage in h]
        if not past:
            continue
        mean = sum(past) / len(past)
        means[stage] = round(mean, 4)
        if abs(rate - mean) > s.drop_rate_band:
            problems.append(f"{stage} dropped {rate:.2f} vs trailing mean {mean:.2f} (band ±{s.drop_rate_band})")
    meta["trailing_means"] = means
    if problems:
        return GateResult("drop_rate_band", False, "; ".join(problems), meta)
    return GateResult("drop_rate_band", True, f"every stage within ±{s.drop_rate_band} of the trailing mean", meta)


def output_not_empty(night: Night, s: GateSettings) -> GateResult:
    if night.empty:
        return GateResult("output_not_empty", True, "no new inputs")
    shard = night.layout.read_marker("shard") or {}
    docs = int(shard.get("documents") or 0)
    return GateResult(
        "output_not_empty",
        docs >= s.min_output_documents,
        f"{docs} documents in {shard.get('shards', 0)} shards (minimum {s.min_output_documents})",
        {"documents": docs, "tokens": int(shard.get("tokens") or 0)},
    )


def shard_checksums(night: Night, s: GateSettings) -> GateResult:
    from kocorpus.provenance.manifest import verify_shards

    if night.empty:
        return GateResult("shard_checksums", True, "no new inputs")
    manifest = night.layout.shard_manifest
    if not manifest.exists():
        return GateResult("shard_checksums", False, f"no manifest at {manifest}")
    report = verify_shards(manifest, deep=s.deep_verify)
    detail = f"{report.checked} files verified" if report.ok else "; ".join(report.problems[:5])
    return GateResult("shard_checksums", report.ok, detail, {"checked": report.checked, "problems": len(report.problems)})


def evaluate(spark, night: Night, trailing: list[Night]) -> list[GateResult]:
    """Every gate of ``night``; ``trailing``: earlier published nights, oldest first."""
    s = GateSettings.from_config(night.settings.gates)
    return [
        korean_share(spark, night, s),
        drop_rate_band(night, trailing, s),
        output_not_empty(night, s),
        shard_checksums(night, s),
    ]

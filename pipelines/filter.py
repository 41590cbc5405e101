"""The ``filter`` stage: the per-document steps fused in one ``mapInArrow`` pass.

Steps (``[filter] steps``, default all in registry order): the URL blocklist (crawl
sources), normalize, licence policy and opt-out, language ID, quality, PII. A rejected row leaves the chain at the step
that rejected it; its reject names that step as its ``stage``.
"""

from __future__ import annotations

import importlib
from typing import Iterator

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, run_steps
from kocorpus.pipelines.outcomes import fail_first_attempt, outcome_stats, read_kept, write_outcomes
from kocorpus.pipelines.runner import RunContext
from kocorpus.schemas import DOCUMENT_SCHEMA, STAGE_OUTPUT_SCHEMA, conform, spark_ddl

#: Document steps of the ``filter`` stage: config name -> (module, class). Order is the default order.
STEP_REGISTRY: dict[str, tuple[str, str]] = {
    "url": ("kocorpus.sources.urls", "UrlBlocklistFilter"),
    "normalize": ("kocorpus.filters.normalize", "TextNormalizer"),
    "holdout": ("kocorpus.filters.holdout", "HeldOutFilter"),
    "policy": ("kocorpus.filters.policy", "LicensePolicy"),
    "langid": ("kocorpus.filters.langid", "FastTextLanguageId"),
    "quality": ("kocorpus.filters.quality", "QualityFilter"),
    "pii": ("kocorpus.filters.pii", "KoreanPiiRedactor"),
}
#: The default chain; ``holdout`` (evaluation-set decontamination) runs only where configured.
DEFAULT_STEPS = [name for name in STEP_REGISTRY if name != "holdout"]


def build_steps(cfg) -> list[DocumentStep]:
    """The filter stage's steps from ``[filter] steps`` (default: all, in registry order)."""
    names = cfg.section("filter").get("steps", DEFAULT_STEPS)
    steps = []
    for name in names:
        if name not in STEP_REGISTRY:
            raise ValueError(f"[filter] steps: unknown step {name!r}; known: {list(STEP_REGISTRY)}")
        module, cls = STEP_REGISTRY[name]
        steps.append(getattr(importlib.import_module(module), cls).from_config(cfg.section(name)))
    return steps


def filter_batches(steps: list[DocumentStep]):
    """The mapInArrow function of the filter stage: documents in, kept + rejects out."""

    def fn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            kept, rejected = run_steps(conform(b, DOCUMENT_SCHEMA), steps)
            if kept.num_rows:
                yield conform(kept, STAGE_OUTPUT_SCHEMA)
            for stage, rows, verdicts in rejected:
                rows = conform(rows, STAGE_OUTPUT_SCHEMA)
                n = rows.num_rows
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_stage"), "reject_stage", pa.array([stage] * n, pa.string())
                )
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_reason"),
                    "reject_reason",
                    pa.array([v.reason for v in verdicts], pa.string()),
                )
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_value"),
                    "reject_value",
                    pa.array([v.value for v in verdicts], pa.string()),
                )
                yield rows

    return lambda batches: fail_first_attempt("filter", fn(batches))  # no-op unless KOCORPUS_FAIL_FIRST_ATTEMPT names it


def run_filter(ctx: RunContext) -> dict:
    steps = build_steps(ctx.cfg)
    docs = read_kept(ctx, "ingest")
    n_in = ctx.stats["ingest"]["out"]
    df = docs.mapInArrow(filter_batches(steps), spark_ddl(STAGE_OUTPUT_SCHEMA))
    write_outcomes(ctx, "filter", df)
    stats = outcome_stats(ctx, "filter", n_in)
    stats["steps"] = [{"stage": s.stage, "settings": s.describe()} for s in steps]
    return stats

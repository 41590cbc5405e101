"""The pipeline: its stages in order, each a Spark job in its own module.

- ``ingest``   read declared sources; quarantine unreadable records (``pipelines/ingest.py``).
- ``filter``   per-document steps fused into one pass: normalize, licence policy and
               opt-out, language ID, quality, PII (``pipelines/filter.py``).
- ``dedup``    exact (text hash) then MinHash near-duplicate removal (``pipelines/dedup.py``).
- ``tokenize`` train or load the tokenizer; encode documents (``pipelines/tokenize.py``).
- ``shard``    pack tokens in the seeded order into shards, lineage, manifest (``pipelines/shard.py``).
- ``report``   rejects table, accounting check, summary and provenance report (``pipelines/report.py``).
"""

from __future__ import annotations

from kocorpus.layout import STAGES
from kocorpus.pipelines.dedup import run_dedup
from kocorpus.pipelines.filter import run_filter
from kocorpus.pipelines.ingest import run_ingest
from kocorpus.pipelines.report import run_report
from kocorpus.pipelines.runner import Stage
from kocorpus.pipelines.shard import run_shard
from kocorpus.pipelines.tokenize import run_tokenize

PIPELINE: list[Stage] = [
    Stage("ingest", run_ingest, "read sources, quarantine unreadable records"),
    Stage("filter", run_filter, "normalize, licence policy, language ID, quality, PII"),
    Stage("dedup", run_dedup, "exact and MinHash near-duplicate removal"),
    Stage("tokenize", run_tokenize, "train/load the tokenizer and encode documents"),
    Stage("shard", run_shard, "pack token shards, lineage and manifest"),
    Stage("report", run_report, "run summary and provenance report"),
]
assert [s.name for s in PIPELINE] == list(STAGES), "the run layout's stage names and the pipeline disagree"
STAGE_NAMES = list(STAGES)

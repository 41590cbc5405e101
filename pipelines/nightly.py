"""The Spark side of the nightly run, and the Dagster code location.

``kocorpus.orchestration`` decides what a night does and when (its plan, gates,
versioned publishing, the Dagster assets); this module hands it the pipeline's
own stage jobs, so a night runs exactly the stages ``kocorpus run`` runs: the
same ``run_ingest`` (restricted to the night's planned objects, with unique
``doc_id``\\ s), then filter, dedup, tokenize, shard and report.

Dagster loads ``defs`` from here: ``dagster dev -m kocorpus.pipelines.nightly``
(config from ``KOCORPUS_NIGHTLY_CONFIG``, default ``nightly.toml``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from kocorpus.config import Config
from kocorpus.orchestration.nightly import Night, stale
from kocorpus.orchestration.operations import NightlyOps
from kocorpus.pipelines.ingest import run_ingest
from kocorpus.pipelines.runner import RunContext, Stage, run_stages, write_run_manifest
from kocorpus.pipelines.session import build_spark
from kocorpus.pipelines.stages import PIPELINE


class SparkNightJobs:
    """Runs a night's stages with the pipeline's Spark jobs (``NightJobs`` of ``NightlyOps``)."""

    def start_session(self, cfg: Config):
        return build_spark(
            master=cfg.spark.master,
            app_name=f"{cfg.spark.app_name}:nightly",
            conf=cfg.spark.conf,
            checkpoint_dir=str(Path(cfg.run.root) / "_spark_checkpoints"),
        )

    def run_stage(self, night: Night, session: Any, name: str, progress: Callable[[str], None]) -> dict:
        """Run one stage (skipped when done, redone when an earlier stage is newer); returns its stats."""
        plan = night.read_plan()
        ctx = RunContext(spark=session, cfg=night.run_config(), layout=night.layout)
        is_stale = stale(night.layout, name)
        ran = is_stale or not night.layout.is_done(name)
        run_stages(ctx, night_stages(plan), only=[name], force=[name] if is_stale else False, progress=progress)
        if ran and name == PIPELINE[-1].name:
            write_run_manifest(ctx, {"nightly_date": night.date, "inputs": plan["inputs"]})
        return ctx.stats[name]


def night_stages(plan: dict) -> list[Stage]:
    """The pipeline with its ingest reading only the objects ``plan`` chose."""
    paths = [f["path"] for f in plan["inputs"]]
    ingest = PIPELINE[0]
    planned = Stage(ingest.name, lambda ctx: run_ingest(ctx, paths=paths), "read the night's new input objects")
    return [planned] + PIPELINE[1:]


def nightly_ops(config_path: str | Path, spark=None, overrides: dict | None = None, progress=print) -> NightlyOps:
    """The nightly operations on this pipeline's Spark jobs."""
    return NightlyOps(config_path, SparkNightJobs(), spark=spark, overrides=overrides, progress=progress)


def _defs():
    try:
        from kocorpus.orchestration.definitions import definitions
    except ModuleNotFoundError as e:  # without the orchestration extra there is no Dagster code location
        if e.name == "dagster":
            return None
        raise
    return definitions(nightly_ops(os.environ.get("KOCORPUS_NIGHTLY_CONFIG", "nightly.toml")))


defs = _defs()

"""Run the whole pipeline (or some stages) for one config: the entry point behind ``kocorpus run``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Sequence

from kocorpus.pipelines import storage
from kocorpus.pipelines.config import Config
from kocorpus.pipelines.layout import RunLayout
from kocorpus.pipelines.runner import RunContext, default_run_id, run_stages, write_run_manifest
from kocorpus.pipelines.session import build_spark
from kocorpus.pipelines.stages import PIPELINE

log = logging.getLogger("kocorpus")


def run_pipeline(
    cfg: Config,
    run_id: str | None = None,
    stages: Sequence[str] | None = None,
    force: bool | Sequence[str] = False,
    master: str | None = None,
    spark=None,
    progress: Callable[[str], None] = print,
) -> RunContext:
    """Run ``stages`` (default: all) of the pipeline; returns the context with every stage's stats."""
    run_id = run_id or default_run_id(cfg)
    layout = RunLayout(cfg.run.root, run_id)
    storage.configure(cfg.section("storage"))
    own_spark = spark is None
    if own_spark:
        spark = build_spark(
            master=master or cfg.spark.master,
            app_name=f"{cfg.spark.app_name}:{run_id}",
            conf=cfg.spark.conf,
            checkpoint_dir=str(layout.run_dir / "_spark_checkpoints"),
        )
    storage.share_with_spark(spark)
    ctx = RunContext(spark=spark, cfg=cfg, layout=layout)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    progress(f"run {run_id} -> {layout.run_dir}")
    try:
        run_stages(ctx, PIPELINE, only=stages, force=force, progress=progress)
        write_run_manifest(
            ctx,
            {
                "started_at": started,
                "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "spark_master": spark.sparkContext.master,
                "inputs": (ctx.stats.get("ingest") or {}).get("inputs", []),
                "outputs": _outputs(ctx),
            },
        )
    finally:
        if own_spark:
            spark.stop()
    return ctx


def _outputs(ctx: RunContext) -> dict:
    from kocorpus.pipelines.summary import outputs

    return outputs(ctx)

"""Run the whole pipeline (or some stages) for one config: the entry point behind ``kocorpus run``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Sequence

from kocorpus import storage
from kocorpus.config import Config
from kocorpus.layout import RunLayout
from kocorpus.pipelines.runner import RunContext, default_run_id, run_stages, write_run_manifest
from kocorpus.pipelines.session import build_spark
from kocorpus.pipelines.stages import PIPELINE
from kocorpus.provenance.summary import outputs

log = logging.getLogger("kocorpus")

#: Per-run cache of the inputs' sha256 (the run manifest quotes it): ``<run>/input-checksums.json``.
INPUT_CHECKSUMS = "input-checksums.json"


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
                **_inputs_with_checksums(ctx),
                "tokenizer": _tokenizer_record(ctx),
                "outputs": outputs(ctx.layout),
            },
        )
    finally:
        if own_spark:
            spark.stop()
    return ctx


def _inputs_with_checksums(ctx: RunContext) -> dict:
    """``inputs`` (source, path, size, sha256 of the bytes) and ``input_snapshot_id``.

    Checksums are computed once per run by a Spark job (each file streamed by one task) and kept
    in ``<run>/input-checksums.json``, so a resumed run does not read its inputs again.
    """
    import hashlib
    import json

    from kocorpus.files import write_json_atomic

    snapshot = (ctx.stats.get("ingest") or {}).get("inputs", [])
    cache = ctx.layout.run_dir / INPUT_CHECKSUMS
    if cache.exists():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if [(e["path"], e["size"]) for e in cached["inputs"]] == [(e["path"], e["size"]) for e in snapshot]:
            return cached
    paths = [e["path"] for e in snapshot]
    sums: dict[str, str] = {}
    if paths:
        rdd = ctx.spark.sparkContext.parallelize(paths, max(1, min(len(paths), 64)))
        sums = dict(rdd.map(lambda p: (p, _sha256_of(p))).collect())
    inputs = [{**e, "sha256": sums.get(e["path"])} for e in snapshot]
    snapshot_id = hashlib.sha256(
        json.dumps([[e["path"], e["size"], e["sha256"]] for e in inputs], sort_keys=True).encode()
    ).hexdigest()[:32]
    doc = {"inputs": inputs, "input_snapshot_id": snapshot_id}
    write_json_atomic(cache, doc)
    return doc


def _sha256_of(path: str) -> str:
    import hashlib

    from kocorpus import storage as st

    h = hashlib.sha256()
    with st.open_input(path) as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _tokenizer_record(ctx: RunContext) -> dict | None:
    """The tokenizer the run's shards were encoded with: file sha256, vocabulary size, method."""
    import json

    manifest = ctx.layout.shard_manifest
    if not manifest.exists():
        return None
    m = json.loads(manifest.read_text(encoding="utf-8"))
    return {"sha256": m["tokenizer"]["sha256"], "vocab_size": m.get("vocab_size"), "eos_id": m.get("eos_id")}

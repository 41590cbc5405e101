"""Shared fixtures: one local Spark session for the whole test session (start-up is slow)."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import settings

# Tests check correctness, never time: no per-example deadline (a loaded CI machine is slow, not wrong).
settings.register_profile("kocorpus", deadline=None)
settings.load_profile("kocorpus")

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from kocorpus.pipelines.session import build_spark

    session = build_spark(
        master="local[2]",
        app_name="kocorpus-tests",
        conf={
            "spark.sql.shuffle.partitions": "4",
            "spark.ui.enabled": "false",
        },
        checkpoint_dir=str(tmp_path_factory.mktemp("spark-checkpoints")),
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def demo_run(spark, tmp_path_factory):
    """One real pipeline run on the bundled sample, shared by the end-to-end, audit and takedown tests."""
    from kocorpus.config import load_config
    from kocorpus.pipelines.pipeline import run_pipeline
    from kocorpus.sample import config_path

    root = tmp_path_factory.mktemp("e2e")
    cfg = load_config(config_path(), {"run": {"root": str(root)}})
    messages: list[str] = []
    ctx = run_pipeline(cfg, run_id="e2e", spark=spark, progress=messages.append)
    return cfg, ctx, messages

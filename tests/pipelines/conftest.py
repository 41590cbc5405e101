"""One real pipeline run on the bundled sample, shared by the end-to-end and audit tests."""

from __future__ import annotations

import pytest

from kocorpus.sample import config_path as sample_config_path
from kocorpus.config import load_config
from kocorpus.pipelines.pipeline import run_pipeline


@pytest.fixture(scope="session")
def demo_run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    cfg = load_config(sample_config_path(), {"run": {"root": str(root)}})
    messages: list[str] = []
    ctx = run_pipeline(cfg, run_id="e2e", spark=spark, progress=messages.append)
    return cfg, ctx, messages

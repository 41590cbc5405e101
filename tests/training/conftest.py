"""Shard-set fixtures for the training tests (helpers live in shard_fixtures.py)."""

import pytest
from shard_fixtures import random_docs, write_real_shards


@pytest.fixture
def shard_set(tmp_path):
    """A small shard set from the real writer: 4 shards, row groups of 4 rows, a padded last row."""
    docs = random_docs(60, seed=1)
    return write_real_shards(tmp_path / "ds", docs), docs


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One intra-op thread: the test machine's cores are shared, and spinning thread pools crawl."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

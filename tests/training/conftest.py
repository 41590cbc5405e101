"""Shard-set fixtures for the training tests (helpers live in shard_fixtures.py)."""

import pytest
from shard_fixtures import random_docs, write_shard_set


@pytest.fixture
def shard_set(tmp_path):
    """A small shard set: ~6 shards, several row groups each, a padded last row."""
    docs = random_docs(60, seed=1)
    return write_shard_set(tmp_path / "ds", docs), docs

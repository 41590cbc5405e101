"""Small tokenizers trained once per test session on the generated Korean fixture text."""

from __future__ import annotations

import pytest
from tok_fixtures import fixture_text


@pytest.fixture(scope="session")
def fixture_docs() -> list[str]:
    return fixture_text()


@pytest.fixture(scope="session")
def kiwi_tokenizer(tmp_path_factory, fixture_docs):
    from kocorpus.tokenizer.train import train_tokenizer

    return train_tokenizer(fixture_docs, tmp_path_factory.mktemp("kiwi-tok"), vocab_size=1000, method="kiwi", min_pair_frequency=2)


@pytest.fixture(scope="session")
def plain_tokenizer(tmp_path_factory, fixture_docs):
    from kocorpus.tokenizer.train import train_tokenizer

    return train_tokenizer(fixture_docs, tmp_path_factory.mktemp("bpe-tok"), vocab_size=1000, method="bpe")

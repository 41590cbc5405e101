"""Fixtures for dedup tests: build document frames from a few fields."""

from __future__ import annotations

import pyarrow as pa
import pytest

from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch, sha256_text


def _doc_rows(texts, **common):
    """Document dicts with ids d000.., their text and text hash; ``common`` fields on all."""
    rows = []
    for i, t in enumerate(texts):
        row = {"doc_id": f"d{i:04d}", "source": "test", "source_kind": "crawl", "text": t,
               "text_sha256": sha256_text(t)}
        row.update(common)
        rows.append(row)
    return rows


@pytest.fixture
def doc_rows():
    return _doc_rows


@pytest.fixture
def make_docs(spark):
    """rows (dicts with DOCUMENT_SCHEMA keys) -> Spark DataFrame with DOCUMENT_SCHEMA columns."""

    def build(rows, partitions: int = 3):
        table = pa.Table.from_batches([rows_to_batch(rows, DOCUMENT_SCHEMA)])
        return spark.createDataFrame(table).repartition(partitions)

    return build


class KoreanTexts:
    """Deterministic synthetic Korean documents with controlled overlap (for near-dup tests)."""

    def __init__(self, seed: int = 0):
        import random

        self.rnd = random.Random(seed)

    def word(self) -> str:
        return "".join(chr(0xAC00 + self.rnd.randrange(11172)) for _ in range(self.rnd.randint(2, 4)))

    def doc(self, n_words: int = 120) -> list[str]:
        return [self.word() for _ in range(n_words)]

    def replace(self, words: list[str], start: int, count: int) -> list[str]:
        out = list(words)
        for i in range(start, start + count):
            out[i] = self.word()
        return out


def jaccard(a: str, b: str, kind: str = "char", n: int = 5) -> float:
    from kocorpus.dedup.shingles import shingles

    sa, sb = set(shingles(a, kind, n)), set(shingles(b, kind, n))
    return len(sa & sb) / len(sa | sb)


@pytest.fixture
def korean_texts():
    return KoreanTexts(0)


@pytest.fixture
def exact_jaccard():
    return jaccard

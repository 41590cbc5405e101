"""Fixtures for dedup tests: build document frames from a few fields."""

from __future__ import annotations

import pyarrow as pa
import pytest

from kocorpus.pipelines.schemas import DOCUMENT_SCHEMA, rows_to_batch, sha256_text


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

"""Encoding documents with a trained ``tokenizer.json`` (``tokenizers``; no Kiwi at encode time)."""

from __future__ import annotations

import os

import pyarrow as pa

from kocorpus.filters.base import cached_model

ENCODED_SCHEMA = pa.schema([("doc_id", pa.string()), ("n_tokens", pa.int32()), ("tokens", pa.list_(pa.int32()))])


def _load(path: str):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)


class TokenEncoder:
    """Callable on a batch with ``doc_id`` and ``text``; returns ``ENCODED_SCHEMA`` rows.

    The tokenizer loads once per process. Special-token strings inside the
    text (the PII placeholders) encode as their single ids.
    """

    def __init__(self, tokenizer_path: str):
        self.tokenizer_path = tokenizer_path

    @property
    def tokenizer(self):
        return cached_model(("tokenizer", os.path.abspath(self.tokenizer_path)), lambda: _load(self.tokenizer_path))

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = [t or "" for t in batch.column("text").to_pylist()]
        encs = self.tokenizer.encode_batch_fast(texts, add_special_tokens=False) if texts else []
        ids = [e.ids for e in encs]
        return pa.RecordBatch.from_arrays(
            [
                batch.column("doc_id"),
                pa.array([len(x) for x in ids], pa.int32()),
                pa.array(ids, pa.list_(pa.int32())),
            ],
            schema=ENCODED_SCHEMA,
        )

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
        # keyed by the file's identity too: a retrained tokenizer at the same path is a new model
        st = os.stat(self.tokenizer_path)
        key = ("tokenizer", os.path.abspath(self.tokenizer_path), st.st_mtime_ns, st.st_size)
        return cached_model(key, lambda: _load(self.tokenizer_path))

    def decode(self, ids) -> str:
        """The exact text of ``ids``, special tokens (PII placeholders, EOS) included."""
        return self.tokenizer.decode(list(ids), skip_special_tokens=False)

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


def _byte_decoder() -> dict[str, int]:
    """Inverse of the byte-level alphabet (GPT-2's ``bytes_to_unicode``): character -> byte."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(keep, chars)}


_BYTES = _byte_decoder()


def token_bytes(tokenizer, ids) -> list[bytes]:
    """The UTF-8 bytes each id stands for (a byte-level token may hold part of a character)."""
    added = tokenizer.get_added_tokens_decoder()
    out = []
    for i in ids:
        piece = tokenizer.id_to_token(int(i))
        if piece is None:
            raise ValueError(f"token id {i} is not in the vocabulary")
        out.append(piece.encode("utf-8") if int(i) in added else bytes(_BYTES[c] for c in piece))
    return out

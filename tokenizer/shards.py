"""Packing documents into fixed-length rows and writing Parquet token shards with lineage.

The token stream is every document's tokens followed by EOS, in the order
documents are added. It is cut into rows of ``seq_len + 1`` tokens; each row
records where documents start inside it (``doc_starts``); the very last row
is right-padded with ``pad_id``. Shards hold ``rows_per_shard`` rows, in row
groups of about ``row_group_bytes``. Memory is bounded by one row group.

Shard file columns: ``tokens`` fixed_size_list<uint16|uint32>[seq_len+1],
``doc_starts`` list<int32>. Lineage (``lineage.parquet``): ``shard``,
``row``, ``doc_id``, ``start``, ``end`` (token span of the document in the
row, end exclusive, EOS included).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus.files import sha256_file

LINEAGE_SCHEMA = pa.schema(
    [("shard", pa.string()), ("row", pa.int64()), ("doc_id", pa.string()), ("start", pa.int32()), ("end", pa.int32())]
)
PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=False, write_statistics=False)


@dataclass(frozen=True)
class ShardSettings:
    """``[shards]``: row width ``seq_len`` (tokens; rows hold ``seq_len + 1``), rows per shard file,
    and the target row-group size in bytes (one ranged read fetches one group)."""

    seq_len: int = 2048
    rows_per_shard: int = 16384
    row_group_bytes: int = 4 << 20

    @classmethod
    def from_config(cls, section: dict) -> "ShardSettings":
        return cls(**section)


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 when every id fits (vocab_size <= 65536), else uint32."""
    return np.dtype(np.uint16) if vocab_size <= 1 << 16 else np.dtype(np.uint32)


def shard_schema(seq_len: int, dtype: np.dtype) -> pa.Schema:
    value = pa.uint16() if dtype == np.uint16 else pa.uint32()
    return pa.schema([("tokens", pa.list_(value, seq_len + 1)), ("doc_starts", pa.list_(pa.int32()))])


@dataclass
class ShardInfo:
    path: str  # relative to the dataset folder
    rows: int
    tokens: int  # non-pad tokens
    documents: int  # documents whose first token is in this shard
    bytes: int
    sha256: str


@dataclass
class ShardSet:
    shards: list[ShardInfo]
    seq_len: int
    dtype: str
    eos_id: int
    pad_id: int
    padding_tokens: int
    lineage_path: str
    lineage_sha256: str


class ShardWriter:
    """Streams documents into shards under ``out_dir/shards/`` (see module docstring)."""

    def __init__(
        self,
        out_dir: str | Path,
        *,
        seq_len: int,
        vocab_size: int,
        eos_id: int,
        pad_id: int,
        rows_per_shard: int = 16384,
        row_group_bytes: int = 4 << 20,
        name_prefix: str = "shard",
        shard_name: Callable[[int], str] | None = None,
        lineage_file: str = "lineage.parquet",
    ):
        self.out_dir = Path(out_dir)
        (self.out_dir / "shards").mkdir(parents=True, exist_ok=True)
        self.seq_len = seq_len
        self.row_len = seq_len + 1
        self.vocab_size = vocab_size
        self.dtype = token_dtype(vocab_size)
        self.eos_id = eos_id
        self.pad_id = pad_id
        self.rows_per_shard = rows_per_shard
        self.rows_per_group = max(1, row_group_bytes // (self.row_len * self.dtype.itemsize))
        self.name_prefix = name_prefix
        self._shard_name = shard_name or (lambda i: f"shards/{name_prefix}-{i:05d}.parquet")
        self.lineage_file = lineage_file
        self.schema = shard_schema(seq_len, self.dtype)
        self._row = np.empty(self.row_len, dtype=self.dtype)
        self._fill = 0
        self._starts: list[int] = []
        self._pieces: list[tuple[str, int, int]] = []
        self._group_rows: list[np.ndarray] = []
        self._group_starts: list[list[int]] = []
        self._shard_index = 0
        self._shard_rows = 0
        self._shard_tokens = 0
        self._shard_docs = 0
        self._writer: pq.ParquetWriter | None = None
        self._lineage_rows: list[tuple] = []
        self._lineage = pq.ParquetWriter(self.out_dir / lineage_file, LINEAGE_SCHEMA, **PARQUET_OPTIONS)
        self._infos: list[ShardInfo] = []
        self._padding = 0

    def _shard_rel(self, index: int) -> str:
        return self._shard_name(index)

    def add(self, doc_id: str, tokens) -> None:
        """Append one document's tokens (then EOS) to the stream."""
        toks = np.asarray(tokens)
        if toks.size and (int(toks.min()) < 0 or int(toks.max()) >= self.vocab_size):
            raise ValueError(
                f"document {doc_id}: token ids must lie in [0, {self.vocab_size}), got {int(toks.min())}..{int(toks.max())}"
            )
        stream = np.empty(toks.size + 1, dtype=self.dtype)
        stream[:-1] = toks
        stream[-1] = self.eos_id
        self.add_piece(doc_id, stream, starts_document=True)

    def add_piece(self, doc_id: str, stream: np.ndarray, *, starts_document: bool) -> None:
        """Append a span of a document's token stream as it is (EOS included only if it is there).

        ``starts_document`` marks the span's first token as the document's start
        (``doc_starts``). A takedown re-packs the surviving spans of a shard with it.
        """
        stream = np.asarray(stream, dtype=self.dtype)
        pos = 0
        first = starts_document
        while pos < stream.size:
            take = min(self.row_len - self._fill, stream.size - pos)
            self._row[self._fill : self._fill + take] = stream[pos : pos + take]
            if first:
                self._starts.append(self._fill)
                first = False
            self._pieces.append((doc_id, self._fill, self._fill + take))
            self._fill += take
            pos += take
            if self._fill == self.row_len:
                self._finish_row()

    def _finish_row(self, padding: int = 0) -> None:
        row_index = self._shard_rows
        shard = self._shard_rel(self._shard_index)
        self._group_rows.append(self._row.copy())
        self._group_starts.append(list(self._starts))
        for doc_id, start, end in self._pieces:
            self._lineage_rows.append((shard, row_index, doc_id, start, end))
        self._shard_docs += len(self._starts)
        self._shard_tokens += self.row_len - padding
        self._shard_rows += 1
        self._fill = 0
        self._starts = []
        self._pieces = []
        if len(self._group_rows) >= self.rows_per_group:
            self._flush_group()
        if self._shard_rows >= self.rows_per_shard:
            self._close_shard()

    def _flush_group(self) -> None:
        if not self._group_rows:
            return
        if self._writer is None:
            path = self.out_dir / self._shard_rel(self._shard_index)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)
        flat = np.concatenate(self._group_rows)
        values = pa.array(flat, type=self.schema.field("tokens").type.value_type)
        tokens = pa.FixedSizeListArray.from_arrays(values, self.row_len)
        starts = pa.array(self._group_starts, type=pa.list_(pa.int32()))
        table = pa.Table.from_arrays([tokens, starts], schema=self.schema)
        self._writer.write_table(table, row_group_size=len(self._group_rows))
        self._group_rows = []
        self._group_starts = []
        if self._lineage_rows:
            cols = list(zip(*self._lineage_rows))
            self._lineage.write_table(pa.Table.from_arrays([pa.array(c) for c in cols], schema=LINEAGE_SCHEMA))
            self._lineage_rows = []

    def _close_shard(self) -> None:
        self._flush_group()
        if self._writer is None:
            return
        self._writer.close()
        self._writer = None
        rel = self._shard_rel(self._shard_index)
        path = self.out_dir / rel
        self._infos.append(
            ShardInfo(rel, self._shard_rows, self._shard_tokens, self._shard_docs, path.stat().st_size, sha256_file(path))
        )
        self._shard_index += 1
        self._shard_rows = self._shard_tokens = self._shard_docs = 0

    def close(self) -> ShardSet:
        """Pad the last row, close every file, and describe what was written."""
        if self._fill:
            pad = self.row_len - self._fill
            self._row[self._fill :] = self.pad_id
            self._padding += pad
            self._fill = self.row_len
            self._finish_row(padding=pad)
        self._close_shard()
        self._lineage.close()
        lineage = self.out_dir / self.lineage_file
        return ShardSet(
            shards=self._infos,
            seq_len=self.seq_len,
            dtype=self.dtype.name,
            eos_id=self.eos_id,
            pad_id=self.pad_id,
            padding_tokens=self._padding,
            lineage_path=self.lineage_file,
            lineage_sha256=sha256_file(lineage),
        )

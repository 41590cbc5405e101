"""Reading token shards: checksum on first open, then one Parquet row group at a time.

Local paths and ``s3://`` URLs go through pyarrow filesystems; a row-group read
is one ranged read. Each process verifies a shard's sha256 (a full streaming
read) the first time it opens it, and remembers the shards it has verified.
A remote shard can instead be copied once into a local cache folder, hashed
while it downloads.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus.storage import filesystem, is_url

from .manifest import ShardEntry, ShardManifest

_CHUNK = 8 << 20
MAX_OPEN_SHARDS = 64  # per process
_VERIFIED: set[tuple[str, str]] = set()
_VERIFY_LOCK = threading.Lock()


class ShardIntegrityError(RuntimeError):
    """A shard does not match its manifest entry (checksum, size, schema or row count)."""


@dataclass
class RowGroup:
    """One decoded row group: ``tokens`` is ``[rows, seq_len + 1]``; doc starts of row i are
    ``starts[offsets[i]:offsets[i + 1]]`` (positions within the row)."""

    tokens: np.ndarray
    offsets: np.ndarray
    starts: np.ndarray


def _hash_stream(stream) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        h.update(chunk)
        n += len(chunk)
    return h.hexdigest(), n


def _check(entry: ShardEntry, digest: str, size: int) -> None:
    if size != entry.bytes:
        raise ShardIntegrityError(
            f"shard {entry.path} ({entry.url}) is {size} bytes, the manifest says {entry.bytes}: "
            "the shard is truncated or was replaced after the manifest was written"
        )
    if digest != entry.sha256:
        raise ShardIntegrityError(
            f"shard {entry.path} ({entry.url}) failed its checksum: sha256 {digest}, the manifest says "
            f"{entry.sha256}; the shard is corrupted or was replaced after the manifest was written"
        )


class ShardReader:
    """Reads row groups of the shards of one manifest; safe to share between threads.

    ``verify``: check each shard's sha256 and size on first open (once per process).
    ``cache_dir``: copy remote shards there once (named by their sha256) and read the copy.
    """

    def __init__(self, manifest: ShardManifest, verify: bool = True, cache_dir: str | None = None):
        self.manifest = manifest
        self.verify = verify
        self.cache_dir = cache_dir
        self._files: OrderedDict[int, pq.ParquetFile] = OrderedDict()  # open shards, least recently used first
        self._lock = threading.Lock()
        self._shard_locks: dict[int, threading.Lock] = {}

    def __getstate__(self):
        return {"manifest": self.manifest, "verify": self.verify, "cache_dir": self.cache_dir}

    def __setstate__(self, state):
        self.__init__(**state)

    # -- metadata --------------------------------------------------------
    def row_groups(self, shard: int) -> list[int]:
        """Rows per row group of a shard, from its Parquet footer (checked against the manifest)."""
        entry = self.manifest.shards[shard]
        try:
            fs, inner = filesystem(entry.url)
            with fs.open_input_file(inner) as f:
                meta = pq.ParquetFile(f).metadata
        except FileNotFoundError as e:
            raise ShardIntegrityError(f"shard {entry.path} ({entry.url}) listed in the manifest is missing") from e
        except (OSError, pa.ArrowException) as e:
            if self.verify:  # say "checksum" when that is the cause
                with fs.open_input_stream(inner) as s:
                    _check(entry, *_hash_stream(s))
            raise ShardIntegrityError(f"shard {entry.path} ({entry.url}) is not readable Parquet: {e}") from e
        counts = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        if sum(counts) != entry.rows:
            raise ShardIntegrityError(
                f"shard {entry.path} ({entry.url}) holds {sum(counts)} rows, the manifest says {entry.rows}"
            )
        return counts

    # -- opening ---------------------------------------------------------
    def _local_copy(self, entry: ShardEntry) -> str:
        os.makedirs(self.cache_dir, exist_ok=True)
        local = os.path.join(self.cache_dir, f"{entry.sha256}.parquet")
        if os.path.exists(local):
            return local
        fs, inner = filesystem(entry.url)
        tmp = f"{local}.{os.getpid()}.{threading.get_ident()}.part"
        h = hashlib.sha256()
        n = 0
        try:
            with fs.open_input_stream(inner) as src, open(tmp, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    h.update(chunk)
                    n += len(chunk)
                    dst.write(chunk)
            _check(entry, h.hexdigest(), n)
            os.replace(tmp, local)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        with _VERIFY_LOCK:
            _VERIFIED.add((local, entry.sha256))
        return local

    def _open(self, shard: int) -> pq.ParquetFile:
        with self._lock:
            pf = self._files.get(shard)
            if pf is not None:
                self._files.move_to_end(shard)
                return pf
            lock = self._shard_locks.setdefault(shard, threading.Lock())
        with lock:
            with self._lock:
                pf = self._files.get(shard)
            if pf is not None:
                return pf
            entry = self.manifest.shards[shard]
            url = self._local_copy(entry) if self.cache_dir and is_url(entry.url) else entry.url
            fs, inner = filesystem(url)
            if self.verify and (url, entry.sha256) not in _VERIFIED:
                try:
                    with fs.open_input_stream(inner) as s:
                        digest, size = _hash_stream(s)
                except FileNotFoundError as e:
                    raise ShardIntegrityError(f"shard {entry.path} ({entry.url}) listed in the manifest is missing") from e
                _check(entry, digest, size)
                with _VERIFY_LOCK:
                    _VERIFIED.add((url, entry.sha256))
            try:
                pf = pq.ParquetFile(fs.open_input_file(inner))
            except (OSError, pa.ArrowException) as e:
                raise ShardIntegrityError(f"shard {entry.path} ({entry.url}) is not readable Parquet: {e}") from e
            self._check_schema(entry, pf.schema_arrow)
            with self._lock:
                self._files[shard] = pf
                while len(self._files) > MAX_OPEN_SHARDS:  # bound open files; a reopen skips the checksum
                    self._files.popitem(last=False)
            return pf

    def _check_schema(self, entry: ShardEntry, schema: pa.Schema) -> None:
        m = self.manifest
        want = pa.uint16() if m.dtype == "uint16" else pa.uint32()
        try:
            t = schema.field("tokens").type
            ok = pa.types.is_fixed_size_list(t) and t.list_size == m.seq_len + 1 and t.value_type == want
            d = schema.field("doc_starts").type
            ok = ok and pa.types.is_list(d) and d.value_type == pa.int32()
        except KeyError:
            ok = False
        if not ok:
            raise ShardIntegrityError(
                f"shard {entry.path} ({entry.url}) does not have the shard schema "
                f"(tokens: fixed_size_list<{m.dtype}>[{m.seq_len + 1}], doc_starts: list<int32>): {schema}"
            )

    # -- reading ---------------------------------------------------------
    def read_group(self, shard: int, group: int, with_starts: bool = True) -> RowGroup:
        """Decode one row group (one ranged read)."""
        pf = self._open(shard)
        columns = ["tokens", "doc_starts"] if with_starts else ["tokens"]
        try:
            with self._shard_locks[shard]:  # a ParquetFile is not safe for concurrent reads
                table = pf.read_row_group(group, columns=columns)
        except (OSError, pa.ArrowException) as e:
            entry = self.manifest.shards[shard]
            raise ShardIntegrityError(f"shard {entry.path} ({entry.url}): row group {group} unreadable: {e}") from e
        tok = table.column("tokens").combine_chunks()
        width = self.manifest.seq_len + 1
        tokens = tok.flatten().to_numpy(zero_copy_only=False).reshape(len(tok), width)
        if with_starts:
            ds = table.column("doc_starts").combine_chunks()
            offsets = ds.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
            starts = ds.values.to_numpy(zero_copy_only=False)
        else:
            offsets = np.zeros(len(tok) + 1, dtype=np.int64)
            starts = np.zeros(0, dtype=np.int32)
        return RowGroup(tokens=tokens, offsets=offsets, starts=starts)

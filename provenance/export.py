"""Exporting a dataset for another trainer's reader: a Megatron-LM indexed dataset, or Hugging Face ``datasets`` files.

The source is a committed dataset (its ``manifest.json``, local or ``s3://``). Every file
the export reads is checked against the source manifest as it is read (size and sha256,
:func:`kocorpus.provenance.manifest.file_problem`), so an export never carries a corrupted
shard. The export folder gets a manifest of its own (``format`` ``kocorpus-export/1``),
written last, that ``kocorpus verify-shards`` checks like a dataset's.

``megatron``: ``<prefix>.bin`` + ``<prefix>.idx`` in the ``MMIDIDX`` format that
``megatron.core.datasets.indexed_dataset.IndexedDataset`` reads. One Megatron sequence,
and one Megatron document, per kocorpus document, in the dataset's packing order (shards in
manifest order, rows, positions), each holding the document's tokens and its EOS (what
Megatron's ``preprocess_data.py --append-eod`` writes). The documents are rebuilt from the
rows: the lineage's spans, sorted by (shard, row, start), must tile each shard's non-pad
tokens; a document starts where the row's ``doc_starts`` says and the lineage's doc_id
changes, and every document ends with EOS, or the export refuses the dataset. Token dtype:
uint16 when the vocabulary fits (code 8), else int32 (code 4; Megatron has no uint32).
``doc_index.parquet`` maps each Megatron document index to its doc_id and length, so a
sample Megatron draws can be traced to ``documents.parquet`` (source, licence, url).

``hf``: the token rows as they are, one Parquet file per shard under ``data/``
(``train-NNNNN-of-MMMMM.parquet``: ``input_ids`` fixed_size_list<uint16|uint32>[seq_len + 1],
``doc_starts``, and the source ``shard`` and ``row``, the lineage's keys), plus the lineage,
the documents table, the tokenizer and a ``README.md`` whose YAML header declares the
configs, so ``datasets.load_dataset(OUT)`` loads it without a loading script.

Memory: one shard and the lineage table (Megatron; the same bound as a takedown). Output:
a local folder, or ``s3://`` (staged in a local temporary folder, then uploaded, manifest last).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kocorpus import __version__, storage
from kocorpus.files import json_bytes, sha256_file, write_bytes_atomic
from kocorpus.provenance.manifest import (
    EXPORT_FORMAT,
    MANIFEST,
    VerifyReport,
    dataset_root,
    file_problem,
    load_manifest_bytes,
    manifest_url,
    row_counts,
    verify_rows,
)
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA, PARQUET_OPTIONS

FORMATS = ("megatron", "hf")
DEFAULT_PREFIX = "kocorpus_text_document"

#: Megatron's ``_INDEX_HEADER`` and ``DType`` codes (megatron/core/datasets/indexed_dataset.py).
MMIDIDX_HEADER = b"MMIDIDX\x00\x00"
MMIDIDX_VERSION = 1
MEGATRON_DTYPE_CODES = {"uint8": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5, "float64": 6, "float32": 7, "uint16": 8}
_CHUNK = 1 << 20  # index entries written per piece


class ExportError(ValueError):
    """The source dataset cannot be exported as it is (a checksum, a count or a boundary disagrees)."""


def megatron_dtype(vocab_size: int) -> np.dtype:
    """uint16 when every id fits (vocab_size <= 65536), else int32 (Megatron's index has no uint32)."""
    if vocab_size <= 1 << 16:
        return np.dtype(np.uint16)
    if vocab_size <= 1 << 31:
        return np.dtype(np.int32)
    raise ExportError(f"vocabulary of {vocab_size} ids does not fit Megatron's int32 tokens")


# -- reading the source ------------------------------------------------------


class _Source:
    """A committed dataset: its manifest (and the bytes' sha256), and its files read with their checksums checked."""

    def __init__(self, location: str | Path):
        self.url = manifest_url(location)
        self.manifest, raw = load_manifest_bytes(self.url)
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.base = dataset_root(self.url)

    def read(self, rel: str, size: int | None, sha: str) -> bytes:
        data = storage.read_bytes(storage.join(self.base, rel))
        if data is None:
            raise ExportError(f"{rel}: listed in {self.url} but missing")
        problem = file_problem(rel, size, sha, len(data), hashlib.sha256(data).hexdigest())
        if problem:
            raise ExportError(f"{problem} ({self.url}): refusing to export a dataset that fails its checksums")
        return data

    def shard_bytes(self, entry: dict) -> bytes:
        """A listed shard, read whole and checked."""
        return self.read(entry["path"], entry.get("bytes"), entry["sha256"])

    def shard_table(self, entry: dict) -> pa.Table:
        """A listed shard, read whole, checked and decoded (row groups in parallel)."""
        return pq.read_table(pa.BufferReader(self.shard_bytes(entry)), columns=["tokens", "doc_starts"])

    def copy(self, key: str, dest: Path) -> dict | None:
        """Copy the file ``manifest[key]`` lists (tokenizer, lineage, documents) to ``dest``, checked; its entry."""
        entry = self.manifest.get(key)
        if not entry:
            return None
        data = self.read(entry["path"], None, entry["sha256"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        return entry

    def source_record(self) -> dict:
        m = self.manifest
        return {
            "manifest": self.url,
            "sha256": self.sha256,
            "format": m["format"],
            "version": m.get("version", 1),
            "run_id": m.get("run_id"),
            "created_at": m.get("created_at"),
        }


def _tokens(table: pa.Table) -> np.ndarray:
    """The ``tokens`` column as a ``[rows, seq_len + 1]`` array."""
    col = table.column("tokens").combine_chunks()
    return col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), col.type.list_size)


def _sorted_lineage(src: _Source) -> tuple[pa.Table, np.ndarray]:
    """The lineage sorted by (shard in manifest order, row, start), and each shard's first index into it."""
    entry = src.manifest.get("lineage")
    if not entry:
        raise ExportError(f"{src.url} lists no lineage: the export needs it to name each document")
    data = src.read(entry["path"], None, entry["sha256"])
    lin = pq.read_table(pa.BufferReader(data), columns=["shard", "row", "doc_id", "start", "end"]).cast(LINEAGE_SCHEMA)
    paths = pa.array([s["path"] for s in src.manifest["shards"]], pa.string())
    index = pc.index_in(lin.column("shard"), value_set=paths)
    if index.null_count:
        stray = pc.filter(lin.column("shard"), pc.is_null(index)).unique().to_pylist()
        raise ExportError(f"lineage names shards the manifest does not list: {stray[:3]}")
    lin = lin.append_column("shard_index", index.cast(pa.int64()))
    lin = lin.take(pc.sort_indices(lin, [("shard_index", "ascending"), ("row", "ascending"), ("start", "ascending")]))
    bounds = np.searchsorted(lin.column("shard_index").to_numpy(), np.arange(len(paths) + 1))
    return lin, bounds


@dataclass
class _Documents:
    """Where documents start in the concatenated token stream, and their ids."""

    starts: list[np.ndarray] = field(default_factory=list)
    doc_ids: list[pa.Array] = field(default_factory=list)
    tokens: int = 0  # tokens so far in the stream
    last_doc: str | None = None  # doc_id of the stream's last span
    last_token: int | None = None


def _shard_documents(entry: dict, table: pa.Table, spans: pa.Table, eos: int, pad: int, docs: _Documents) -> np.ndarray:
    """The shard's non-pad token stream; records its documents' starts and ids in ``docs``.

    Checks that the lineage's spans tile the stream, that they start documents exactly where
    ``doc_starts`` does, and that the token before every document start is EOS.
    """
    rel = entry["path"]
    rows = _tokens(table)
    width = rows.shape[1]
    flat = rows.reshape(-1)
    n = int(entry["tokens"])
    if len(rows) != entry["rows"] or flat.size < n or (flat[n:] != pad).any():
        raise ExportError(f"{rel}: {len(rows)} rows, non-pad tokens disagree with the manifest's {entry['rows']} rows, {n} tokens")
    ds = table.column("doc_starts").combine_chunks()
    offsets = ds.offsets.to_numpy(zero_copy_only=False)
    row_of = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(offsets))
    starts = row_of * width + ds.values.to_numpy(zero_copy_only=False).astype(np.int64)
    if len(spans) == 0:
        raise ExportError(f"{rel}: the lineage has no span in this shard")
    row = spans.column("row").to_numpy()
    a = row * width + spans.column("start").to_numpy().astype(np.int64)
    z = row * width + spans.column("end").to_numpy().astype(np.int64)
    gap = np.flatnonzero(a[1:] != z[:-1])
    if a[0] != 0 or z[-1] != n or gap.size:
        at = int(a[gap[0] + 1]) if gap.size else (0 if a[0] != 0 else int(z[-1]))
        raise ExportError(f"{rel}: the lineage's spans do not tile the shard's {n} tokens (row {at // width}, offset {at % width})")
    ids = spans.column("doc_id").combine_chunks()
    previous = pa.concat_arrays([pa.array([docs.last_doc], pa.string()), ids.slice(0, len(ids) - 1)])
    first = pc.fill_null(pc.not_equal(ids, previous), True).to_numpy(zero_copy_only=False)
    if not np.array_equal(a[first], starts):
        wrong = np.setxor1d(a[first], starts)[0]
        raise ExportError(f"{rel}: lineage and doc_starts disagree on a document start at row {wrong // width}, offset {wrong % width}")
    # the token before each start: the previous shard's last token for a start at 0 (the stream's first has none)
    before = np.full(starts.size, eos if docs.last_token is None else docs.last_token, dtype=np.int64)
    inner = starts > 0
    before[inner] = flat[starts[inner] - 1]
    if (before != eos).any():
        p = int(starts[np.flatnonzero(before != eos)[0]])
        raise ExportError(f"{rel}: the document starting at row {p // width}, offset {p % width} does not follow an EOS")
    if docs.tokens == 0 and (starts.size == 0 or starts[0] != 0):
        raise ExportError(f"{rel}: the dataset's first token does not start a document")
    docs.starts.append(starts + docs.tokens)
    docs.doc_ids.append(pc.filter(ids, pa.array(first)))
    docs.tokens += n
    docs.last_doc = ids[len(ids) - 1].as_py()
    docs.last_token = int(flat[n - 1])
    return flat[:n]


# -- writing -------------------------------------------------------------------


class _HashedFile:
    """A local output file whose sha256 and size are computed as it is written."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._f = open(path, "wb")
        self._h = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> None:
        view = memoryview(data).cast("B")
        self._f.write(view)
        self._h.update(view)
        self.bytes += view.nbytes

    def close(self) -> tuple[int, str]:
        self._f.close()
        return self.bytes, self._h.hexdigest()


def _entry(path: Path, root: Path, role: str, written: tuple[int, str] | None = None, **counts) -> dict:
    """A file's manifest entry; ``written`` is its (bytes, sha256) when computed while writing it."""
    size, sha = written or (path.stat().st_size, sha256_file(path))
    return {"path": path.relative_to(root).as_posix(), "role": role, "bytes": size, "sha256": sha, **counts}


def _write_idx(path: Path, lengths: np.ndarray, dtype: np.dtype) -> tuple[int, str]:
    """The ``.idx`` file: header, then int32 lengths, int64 byte pointers, int64 document indices (0..N)."""
    out = _HashedFile(path)
    n = int(lengths.size)
    out.write(MMIDIDX_HEADER + struct.pack("<Q", MMIDIDX_VERSION) + struct.pack("<B", MEGATRON_DTYPE_CODES[dtype.name]))
    out.write(struct.pack("<Q", n) + struct.pack("<Q", n + 1))
    out.write(np.ascontiguousarray(lengths, dtype=np.int32))
    pointer = 0
    for lo in range(0, n, _CHUNK):
        piece = lengths[lo : lo + _CHUNK].astype(np.int64) * dtype.itemsize
        ends = np.cumsum(piece) + pointer
        out.write(ends - piece)
        pointer = int(ends[-1])
    for lo in range(0, n + 1, _CHUNK):
        out.write(np.arange(lo, min(lo + _CHUNK, n + 1), dtype=np.int64))
    return out.close()


def _export_megatron(src: _Source, out: Path, prefix: str, progress) -> tuple[list[dict], dict, dict]:
    m = src.manifest
    dtype = megatron_dtype(int(m["vocab_size"]))
    lineage, bounds = _sorted_lineage(src)
    docs = _Documents()
    bin_file = _HashedFile(out / f"{prefix}.bin")
    for i, entry in enumerate(m["shards"]):
        table = src.shard_table(entry)
        stream = _shard_documents(entry, table, lineage.slice(bounds[i], bounds[i + 1] - bounds[i]), m["eos_id"], m["pad_id"], docs)
        bin_file.write(np.ascontiguousarray(stream, dtype=dtype))
        if progress:
            progress(entry["path"])
    bin_written = bin_file.close()
    if docs.tokens and docs.last_token != m["eos_id"]:
        raise ExportError(f"{src.url}: the last document does not end with EOS")
    starts = np.concatenate(docs.starts) if docs.starts else np.zeros(0, np.int64)
    lengths = np.diff(np.append(starts, docs.tokens))
    if lengths.size and int(lengths.max()) >= 1 << 31:
        raise ExportError("a document longer than 2**31 - 1 tokens does not fit Megatron's int32 lengths")
    totals = {"documents": int(lengths.size), "tokens": int(docs.tokens)}
    for key in ("documents", "tokens"):
        if totals[key] != m["totals"][key]:
            raise ExportError(f"{src.url}: {totals[key]} {key} exported, the manifest's totals say {m['totals'][key]}")
    idx_written = _write_idx(out / f"{prefix}.idx", lengths, dtype)
    doc_ids = pa.concat_arrays(docs.doc_ids) if docs.doc_ids else pa.array([], pa.string())
    index = pa.table(
        {"document": pa.array(np.arange(lengths.size, dtype=np.int64)), "doc_id": doc_ids, "tokens": pa.array(lengths.astype(np.int32))}
    )
    pq.write_table(index, out / "doc_index.parquet", **PARQUET_OPTIONS)
    files = [
        _entry(out / f"{prefix}.bin", out, "bin", bin_written, **totals),
        _entry(out / f"{prefix}.idx", out, "idx", idx_written, **totals),
        _entry(out / "doc_index.parquet", out, "doc_index", documents=totals["documents"]),
    ]
    meta = {"path_prefix": prefix, "dtype": dtype.name, "dtype_code": MEGATRON_DTYPE_CODES[dtype.name], "eod_id": m["eos_id"]}
    return files, totals, meta


README = """---
{yaml}---

# kocorpus token rows

Packed token rows of the kocorpus dataset `{run_id}` (version {version}), exported from
`{manifest}` (sha256 `{sha256}`).

- split `train` (config `default`): one row per packed row, in the dataset's order (shards in
  manifest order): `input_ids` ({seq_len} + 1 = {width} token ids, `{dtype}`; a trainer takes
  inputs `input_ids[:-1]` and targets `input_ids[1:]`), `doc_starts` (offsets in the row where
  a document starts), `shard` and `row` (the row's place in the source dataset: the lineage's keys).
- EOS (id {eos_id}) ends every document; `<|pad|>` (id {pad_id}) fills only the end of a shard's
  last row: mask it in the targets.
- config `lineage`: (shard, row, doc_id, start, end) token spans; config `documents`: each
  document's source, licence, url, domain and crawl date.
- `tokenizer.json`: the Hugging Face `tokenizers` file (vocabulary {vocab_size}).
- `manifest.json`: every file's sha256; `kocorpus verify-shards manifest.json` rechecks them.

```python
import datasets
rows = datasets.load_dataset("path/to/this/folder", split="train")
docs = datasets.load_dataset("path/to/this/folder", "documents", split="train")
```
"""


def _hf_yaml(has_documents: bool) -> str:
    """The README's YAML header: one config per table, so ``load_dataset(folder, name)`` needs no loading script."""
    configs = [("default", "data/train-*.parquet"), ("lineage", "lineage.parquet")]
    if has_documents:
        configs.append(("documents", "documents.parquet"))
    lines = ["configs:"]
    for name, path in configs:
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {path}"]
    return "\n".join(lines) + "\n"


def _write_tokenizer_config(folder: Path, manifest: dict) -> bool:
    """``tokenizer_config.json`` beside ``tokenizer.json``, naming its pad/bos/eos tokens, so that
    ``transformers.AutoTokenizer.from_pretrained(folder)`` (and Megatron's ``HuggingFaceTokenizer``)
    load it with ``eos_token_id`` equal to the manifest's ``eos_id``. False when the file names no such tokens."""
    try:
        added = {t["id"]: t["content"] for t in json.loads((folder / "tokenizer.json").read_text("utf-8")).get("added_tokens", [])}
    except (ValueError, AttributeError, KeyError, TypeError):
        return False
    names = {"pad_token": manifest.get("pad_id"), "bos_token": manifest.get("bos_id"), "eos_token": manifest.get("eos_id")}
    if any(i not in added for i in names.values()):
        return False
    config = {"tokenizer_class": "PreTrainedTokenizerFast", **{k: added[i] for k, i in names.items()},
              "model_max_length": manifest["seq_len"] + 1, "clean_up_tokenization_spaces": False}  # fmt: skip
    (folder / "tokenizer_config.json").write_bytes(json_bytes(config))
    return True


def _export_hf(src: _Source, out: Path, prefix: str, progress) -> tuple[list[dict], dict, dict]:
    m = src.manifest
    shards = m["shards"]
    files, rows_total = [], 0
    for i, entry in enumerate(shards):
        data = src.shard_bytes(entry)
        meta = pq.read_metadata(pa.BufferReader(data))
        t = pq.read_table(pa.BufferReader(data), columns=["tokens", "doc_starts"])
        rows = pa.table(
            {
                "input_ids": t.column("tokens"),
                "doc_starts": t.column("doc_starts"),
                "shard": pa.array([entry["path"]] * t.num_rows, pa.string()),
                "row": pa.array(np.arange(t.num_rows, dtype=np.int64)),
            }
        )
        counts = row_counts(rows, "input_ids", m["pad_id"])
        if counts != (entry["rows"], entry["tokens"], entry["documents"]):
            raise ExportError(f"{entry['path']}: rows, tokens, documents {counts} disagree with the manifest's entry")
        rel = Path("data") / f"train-{i:05d}-of-{len(shards):05d}.parquet"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        group = max((meta.row_group(g).num_rows for g in range(meta.num_row_groups)), default=1)
        pq.write_table(rows, out / rel, row_group_size=group, **PARQUET_OPTIONS)  # the shard's row groups
        files.append(_entry(out / rel, out, "data", rows=counts[0], tokens=counts[1], documents=counts[2]))
        rows_total += counts[0]
        if progress:
            progress(entry["path"])
    src.copy("lineage", out / "lineage.parquet")
    files.append(_entry(out / "lineage.parquet", out, "lineage"))
    totals = {"rows": rows_total, "tokens": sum(f["tokens"] for f in files if f["role"] == "data"),
              "documents": sum(f["documents"] for f in files if f["role"] == "data")}  # fmt: skip
    return files, totals, {"splits": {"train": "data/train-*.parquet"}}


def export(location: str | Path, out: str | Path, fmt: str = "megatron", *, prefix: str = DEFAULT_PREFIX, progress=None) -> dict:
    """Export the dataset whose manifest is at ``location`` to ``out`` as ``fmt``; returns the export's manifest.

    ``out`` is a local folder or ``s3://`` prefix; an earlier export's manifest there is
    removed first, so an interrupted export is never taken for a complete one.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    src = _Source(location)
    out_url = str(out) if storage.is_url(str(out)) else str(Path(out).resolve())
    target_manifest = storage.join(out_url, MANIFEST)
    previous = storage.read_bytes(target_manifest)
    if previous is not None:
        try:
            previous_format = json.loads(previous).get("format")
        except (ValueError, AttributeError):
            previous_format = None
        if previous_format != EXPORT_FORMAT:
            raise ExportError(f"{target_manifest} is not an export's manifest ({previous_format!r}): export to another folder")
        fs, inner = storage.filesystem(target_manifest)
        fs.delete_file(inner)
    started = time.perf_counter()
    staging = tempfile.mkdtemp(prefix="kocorpus-export-") if storage.is_url(out_url) else None
    work = Path(staging or out_url)
    work.mkdir(parents=True, exist_ok=True)
    try:
        files, totals, meta = (_export_megatron if fmt == "megatron" else _export_hf)(src, work, prefix, progress)
        m = src.manifest
        tok = src.copy("tokenizer", work / "tokenizer.json")
        files.append(_entry(work / "tokenizer.json", work, "tokenizer"))
        if _write_tokenizer_config(work, m):
            files.append(_entry(work / "tokenizer_config.json", work, "tokenizer_config"))
        if src.copy("documents", work / "documents.parquet"):
            files.append(_entry(work / "documents.parquet", work, "documents"))
        if fmt == "hf":
            (work / "README.md").write_text(
                README.format(
                    yaml=_hf_yaml(bool(m.get("documents"))), run_id=m.get("run_id"), version=m.get("version", 1),
                    manifest=src.url, sha256=src.sha256, seq_len=m["seq_len"], width=m["seq_len"] + 1, dtype=m["dtype"],
                    eos_id=m["eos_id"], pad_id=m["pad_id"], vocab_size=m["vocab_size"],
                ),  # fmt: skip
                encoding="utf-8",
            )
            files.append(_entry(work / "README.md", work, "readme"))
        doc = {
            "format": EXPORT_FORMAT,
            "export_format": fmt,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "code_version": __version__,
            "source": src.source_record(),
            "tokenizer": {"path": "tokenizer.json", "sha256": tok["sha256"]},
            "vocab_size": m["vocab_size"], "bos_id": m.get("bos_id"), "eos_id": m["eos_id"], "pad_id": m["pad_id"],
            "seq_len": m["seq_len"], "source_dtype": m["dtype"],
            fmt: meta,
            "files": files,
            "totals": {**totals, "bytes": sum(f["bytes"] for f in files)},
        }  # fmt: skip
        if staging:
            for f in files:
                storage.copy_file(str(work / f["path"]), storage.join(out_url, f["path"]))
        write_bytes_atomic(target_manifest, json_bytes(doc))  # the commit: written last
        from kocorpus.provenance.publish import record_publication

        record_publication(dataset_root(src.url), out_url, m, kind="export", format=fmt, prefix=prefix)  # a takedown re-exports it
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
    doc["seconds"] = time.perf_counter() - started
    return doc


# -- verifying an export -------------------------------------------------------


def export_file_entries(doc: dict) -> list[tuple[str, int | None, str]]:
    """``(path, bytes, sha256)`` of every file an export manifest lists (what ``verify_shards`` checks)."""
    return [(f["path"], f["bytes"], f["sha256"]) for f in doc["files"]]


@dataclass
class MegatronIndex:
    """A parsed ``.idx`` file."""

    dtype: np.dtype
    lengths: np.ndarray  # int32, tokens per sequence
    pointers: np.ndarray  # int64, byte offset of each sequence in the .bin
    document_indices: np.ndarray  # int64, 0 then the sequence index ending each document


def parse_megatron_index(data: bytes) -> MegatronIndex:
    """Parse ``.idx`` bytes (the layout ``_IndexWriter`` writes); ``ValueError`` when they are not one."""
    head = len(MMIDIDX_HEADER) + 8 + 1 + 8 + 8
    if len(data) < head or data[: len(MMIDIDX_HEADER)] != MMIDIDX_HEADER:
        raise ValueError("not a Megatron MMIDIDX index (bad header)")
    version, code, n, d = struct.unpack_from("<QBQQ", data, len(MMIDIDX_HEADER))
    if version != MMIDIDX_VERSION:
        raise ValueError(f"index version {version}, expected {MMIDIDX_VERSION}")
    names = {v: k for k, v in MEGATRON_DTYPE_CODES.items()}
    if code not in names:
        raise ValueError(f"unknown dtype code {code}")
    if len(data) != head + 4 * n + 8 * n + 8 * d:
        raise ValueError(f"index is {len(data)} bytes, {n} sequences and {d} document indices need {head + 12 * n + 8 * d}")
    lengths = np.frombuffer(data, np.int32, n, head)
    pointers = np.frombuffer(data, np.int64, n, head + 4 * n)
    document_indices = np.frombuffer(data, np.int64, d, head + 12 * n)
    return MegatronIndex(np.dtype(names[code]), lengths, pointers, document_indices)


def verify_export_contents(doc: dict, base: str, report: VerifyReport) -> None:
    """Deep checks of an export: its files' counts agree with each other and with the manifest."""
    by_role: dict[str, list[dict]] = {}
    for f in doc["files"]:
        by_role.setdefault(f["role"], []).append(f)
    bad = {p.split(":", 1)[0] for p in report.problems}
    totals = doc.get("totals", {})
    if doc.get("export_format") == "megatron":
        meta = doc["megatron"]
        idx, bin_, index = (by_role.get(r, [None])[0] for r in ("idx", "bin", "doc_index"))
        if idx is None or bin_ is None or idx["path"] in bad or bin_["path"] in bad:
            if idx is None or bin_ is None:
                report.problems.append("manifest: a Megatron export lists a .bin and a .idx")
            return
        try:
            ix = parse_megatron_index(storage.read_bytes(storage.join(base, idx["path"])))
        except ValueError as e:
            report.problems.append(f"{idx['path']}: {e}")
            return
        n, tokens = int(ix.lengths.size), int(ix.lengths.astype(np.int64).sum())
        expected_pointers = np.concatenate([[0], np.cumsum(ix.lengths.astype(np.int64))[:-1]]) * ix.dtype.itemsize if n else ix.pointers
        checks = [
            (ix.dtype.name == meta["dtype"], f"dtype {ix.dtype.name}, manifest says {meta['dtype']}"),
            (n == totals.get("documents"), f"{n} sequences, manifest says {totals.get('documents')} documents"),
            (tokens == totals.get("tokens"), f"{tokens} tokens, manifest says {totals.get('tokens')}"),
            (np.array_equal(ix.document_indices, np.arange(n + 1)), "document indices are not one sequence per document"),
            (np.array_equal(ix.pointers, expected_pointers), "sequence pointers do not follow the lengths"),
            (bin_["bytes"] == tokens * ix.dtype.itemsize, f"the .bin holds {bin_['bytes']} bytes, the index needs {tokens * ix.dtype.itemsize}"),
        ]  # fmt: skip
        report.problems += [f"{idx['path']}: {msg}" for ok, msg in checks if not ok]
        if index is not None and index["path"] not in bad:
            fs, inner = storage.filesystem(storage.join(base, index["path"]))
            lengths = pq.read_table(fs.open_input_file(inner), columns=["tokens"]).column("tokens").to_numpy()
            if not np.array_equal(lengths, ix.lengths):
                report.problems.append(f"{index['path']}: document lengths differ from {idx['path']}")
    else:
        data = by_role.get("data", [])
        for f in data:
            verify_rows(doc, base, f, "input_ids", report)
        for key in ("rows", "tokens", "documents"):
            listed = sum(f[key] for f in data)
            if key in totals and totals[key] != listed:
                report.problems.append(f"totals: {key} {totals[key]} != sum over data files {listed}")
    listed_bytes = sum(f["bytes"] for f in doc["files"])
    if "bytes" in totals and totals["bytes"] != listed_bytes:
        report.problems.append(f"totals: bytes {totals['bytes']} != sum over files {listed_bytes}")


__all__ = ["FORMATS", "DEFAULT_PREFIX", "ExportError", "export", "megatron_dtype", "parse_megatron_index",
           "export_file_entries", "verify_export_contents"]  # fmt: skip

"""The dataset manifest: written last, it is the commit of a token-shard dataset.

A dataset is a folder, local or ``s3://bucket/prefix``::

    manifest.json                       the current version: what readers take (written last)
    manifests/manifest-v000001.json     every earlier version, kept when a newer one is committed
    shards/...parquet                   token shards (never rewritten in place)
    lineage*.parquet                    (shard, row) -> doc_id spans, for the current version
    documents*.parquet                  doc_id -> source, licence, url, domain, crawl date
    tokenizer.json

Readers trust only what the manifest lists; every path in it is relative to the
manifest's folder. ``verify_shards`` rechecks every listed file's size and sha256
and, when deep, every shard's rows, tokens and documents. Versions: each rewrite
(a takedown, a nightly append) is committed by :func:`commit_version`, the one
writer of versions: it bumps ``version``, keeps every version under ``manifests/``
and writes ``manifest.json`` last.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kocorpus import storage
from kocorpus.files import json_bytes, sha256_file, write_bytes_atomic
from kocorpus.tokenizer.shards import ShardSet

FORMAT = "kocorpus-shards/1"
#: An export of a dataset for another trainer's reader (``provenance/export.py``); ``verify_shards`` checks it too.
EXPORT_FORMAT = "kocorpus-export/1"
MANIFEST = "manifest.json"
VERSIONS_DIR = "manifests"
_VERSION_FILE = re.compile(r"manifest-v(\d{6})\.json$")


def manifest_url(location: str | Path) -> str:
    """The ``manifest.json`` of ``location`` (the file itself, or the dataset folder holding it)."""
    text = str(location)
    if text.endswith(".json"):
        return text if storage.is_url(text) else str(Path(text).resolve())
    return storage.join(text if storage.is_url(text) else str(Path(text).resolve()), MANIFEST)


def dataset_root(location: str | Path) -> str:
    """The dataset folder of a manifest (local absolute path or ``s3://`` prefix)."""
    return manifest_url(location).rsplit("/", 1)[0]


def shard_totals(shards: list[dict], padding_tokens: int) -> dict:
    """The manifest's ``totals`` over its shard entries (``padding_tokens`` is not derivable from them)."""
    return {
        "shards": len(shards),
        "rows": sum(s["rows"] for s in shards),
        "tokens": sum(s["tokens"] for s in shards),
        "documents": sum(s["documents"] for s in shards),
        "bytes": sum(s["bytes"] for s in shards),
        "padding_tokens": padding_tokens,
    }


def build_manifest(
    out_dir: str | Path, shardset: ShardSet, tokenizer_info, *, run_id: str, config_sha256: str, code_version: str,
    inputs=None, version: int = 1, documents: dict | None = None,
) -> dict:
    out = Path(out_dir)
    tok_file = out / "tokenizer.json"
    shards = [asdict(s) for s in shardset.shards]
    doc = {
        "format": FORMAT,
        "version": version,
        "run_id": run_id,
        "created_at": _now(),
        "code_version": code_version,
        "config_sha256": config_sha256,
        "seq_len": shardset.seq_len,
        "dtype": shardset.dtype,
        "vocab_size": tokenizer_info.vocab_size,
        "bos_id": tokenizer_info.bos_id,
        "eos_id": shardset.eos_id,
        "pad_id": shardset.pad_id,
        "tokenizer": {"path": "tokenizer.json", "sha256": sha256_file(tok_file) if tok_file.exists() else tokenizer_info.sha256},
        "shards": shards,
        "totals": shard_totals(shards, shardset.padding_tokens),
        "lineage": {"path": shardset.lineage_path, "sha256": shardset.lineage_sha256},
        "inputs": inputs or {},
    }
    if documents:
        doc["documents"] = documents
    return doc


def write_manifest(out_dir: str | Path, shardset: ShardSet, tokenizer_info, **kw) -> Path:
    """Write version 1's ``manifest.json`` last and atomically; returns its path."""
    path = Path(out_dir) / MANIFEST
    write_bytes_atomic(path, json_bytes(build_manifest(out_dir, shardset, tokenizer_info, **kw)))
    return path


def load_manifest(location: str | Path) -> dict:
    """Read a manifest (a ``manifest.json`` path or URL, or its folder); ``ValueError`` if it is not one."""
    return load_manifest_bytes(location)[0]


def load_manifest_bytes(location: str | Path, formats: tuple[str, ...] = (FORMAT,)) -> tuple[dict, bytes]:
    """A manifest and the exact bytes it was read from (one read), refusing any ``format`` not in ``formats``."""
    url = manifest_url(location)
    data = storage.read_bytes(url)
    if data is None:
        raise FileNotFoundError(f"{url}: no manifest here (a shard set without manifest.json is not committed)")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{url}: unreadable manifest: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") not in formats:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ValueError(f"{url}: not a kocorpus shard manifest (format {found!r})")
    return doc, data


def dataset_files(manifest: dict) -> list[str]:
    """Every file a manifest lists (relative paths): shards, tokenizer, lineage, documents."""
    files = [s["path"] for s in manifest["shards"]] + [manifest["tokenizer"]["path"]]
    for key in ("lineage", "documents"):
        if manifest.get(key):
            files.append(manifest[key]["path"])
    return files


def version_path(version: int) -> str:
    return f"{VERSIONS_DIR}/manifest-v{int(version):06d}.json"


def versions(location: str | Path) -> list[int]:
    """Every version of the dataset at ``location`` that is kept under ``manifests/``, plus the current one."""
    root = dataset_root(location)
    fs, inner = storage.filesystem(storage.join(root, VERSIONS_DIR))
    import pyarrow.fs as pafs

    found = {
        int(m.group(1))
        for i in fs.get_file_info(pafs.FileSelector(inner, allow_not_found=True))
        if (m := _VERSION_FILE.search(i.path))
    }
    current = storage.read_bytes(storage.join(root, MANIFEST))
    if current is not None:
        found.add(int(json.loads(current).get("version", 1)))
    return sorted(found)


def commit_version(root: str, new: dict, previous: dict | None) -> dict:
    """Commit ``new`` as the next version of the dataset at ``root`` (local or ``s3://``); returns it.

    ``new["version"]`` becomes ``previous["version"] + 1`` (1 without a previous
    version) and ``new["previous"]`` points at the previous version's file.
    Order: the previous version is kept under ``manifests/`` (if it is not yet),
    the new one is written there, then ``manifest.json`` last: a reader sees the
    old version or the new one, never a mix. Files the new version lists must
    be in place before this is called.
    """
    version = int(previous.get("version", 1)) + 1 if previous else 1
    new = {**new, "version": version, "created_at": _now(), "previous": version_path(version - 1) if previous else None}
    if previous:
        kept = storage.join(root, version_path(previous.get("version", 1)))
        if not storage.exists(kept):
            write_bytes_atomic(kept, json_bytes(previous))
    payload = json_bytes(new)
    write_bytes_atomic(storage.join(root, version_path(version)), payload)
    write_bytes_atomic(storage.join(root, MANIFEST), payload)  # the commit
    return new


@dataclass
class VerifyReport:
    manifest: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_shards(location: str | Path, deep: bool = True) -> VerifyReport:
    """Recheck every file the manifest lists (local or ``s3://``): presence, size, sha256; rows and tokens when ``deep``.

    ``location`` is a dataset's manifest or an export's (``EXPORT_FORMAT``): both go
    through the same file checks (:func:`file_problem`); the deep checks are the format's own.
    """
    url = manifest_url(location)
    doc, _ = load_manifest_bytes(url, (FORMAT, EXPORT_FORMAT))
    base = dataset_root(url)
    report = VerifyReport(url)
    if doc["format"] == EXPORT_FORMAT:
        from kocorpus.provenance.export import export_file_entries, verify_export_contents

        files = export_file_entries(doc)
    else:
        files = [(s["path"], s.get("bytes"), s["sha256"]) for s in doc["shards"]]
        files.append((doc["tokenizer"]["path"], None, doc["tokenizer"]["sha256"]))
        for key in ("lineage", "documents"):
            if doc.get(key):
                files.append((doc[key]["path"], None, doc[key]["sha256"]))
    for rel, size, sha in files:
        f = storage.join(base, rel)
        report.checked += 1
        fs, inner = storage.filesystem(f)
        info = fs.get_file_info(inner)
        if info.type.name != "File":
            report.problems.append(f"{rel}: missing")
            continue
        problem = file_problem(rel, size, sha, info.size, None if size is not None and info.size != size else sha256_file(f))
        if problem:
            report.problems.append(problem)
    if deep:
        (verify_export_contents if doc["format"] == EXPORT_FORMAT else _verify_contents)(doc, base, report)
    return report


def file_problem(rel: str, size: int | None, sha256: str, actual_size: int, actual_sha256: str | None) -> str | None:
    """The one rule for a listed file: its size (when listed) and sha256 match, else what differs.

    ``actual_sha256`` may be None when the size already differs (no need to hash it).
    """
    if size is not None and actual_size != size:
        return f"{rel}: {actual_size} bytes, manifest says {size}"
    if actual_sha256 != sha256:
        return f"{rel}: sha256 {str(actual_sha256)[:16]}... does not match the manifest's {sha256[:16]}..."
    return None


def _verify_contents(doc: dict, base: str, report: VerifyReport) -> None:
    for s in doc["shards"]:
        verify_rows(doc, base, s, "tokens", report)
    totals = doc.get("totals", {})
    for key in ("rows", "tokens", "documents", "bytes"):
        listed = sum(s[key] for s in doc["shards"])
        if key in totals and totals[key] != listed:
            report.problems.append(f"totals: {key} {totals[key]} != sum over shards {listed}")


def row_counts(table, column: str, pad: int) -> tuple[int, int, int]:
    """``(rows, non-pad tokens, document starts)`` of a table of packed rows (``column`` + ``doc_starts``)."""
    flat = table.column(column).combine_chunks().flatten().to_numpy()
    documents = int(pc.sum(pc.list_value_length(table.column("doc_starts"))).as_py() or 0)
    return table.num_rows, int(flat.size - _trailing_pad(flat, pad)), documents


def verify_rows(doc: dict, base: str, entry: dict, column: str, report: VerifyReport) -> None:
    """Recheck one file of packed rows against its entry: rows, non-pad tokens, document starts."""
    if any(x.startswith(f"{entry['path']}:") for x in report.problems):
        return
    try:
        fs, inner = storage.filesystem(storage.join(base, entry["path"]))
        table = pq.read_table(fs.open_input_file(inner), columns=[column, "doc_starts"])
    except Exception as e:  # a listed file that is no longer a readable shard
        report.problems.append(f"{entry['path']}: unreadable ({e})")
        return
    rows, tokens, documents = row_counts(table, column, doc["pad_id"])
    if rows != entry["rows"]:
        report.problems.append(f"{entry['path']}: {rows} rows, manifest says {entry['rows']}")
    if tokens != entry["tokens"]:
        report.problems.append(f"{entry['path']}: {tokens} tokens, manifest says {entry['tokens']}")
    if documents != entry["documents"]:
        report.problems.append(f"{entry['path']}: {documents} documents start here, manifest says {entry['documents']}")


def _trailing_pad(flat: np.ndarray, pad: int) -> int:
    """Padding sits only at the end of a shard's last row."""
    if flat.size == 0 or flat[-1] != pad:
        return 0
    nz = np.flatnonzero(flat != pad)
    return int(flat.size - (nz[-1] + 1 if nz.size else 0))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

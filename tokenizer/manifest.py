"""The dataset manifest: written last, it is the commit of a token-shard dataset.

Readers trust only what the manifest lists. ``verify_shards`` rechecks every
listed file's size and sha256, and every shard's rows and token count.
Versions: each rewrite of a dataset (a takedown, a nightly append) bumps
``version`` and keeps the previous manifest as ``manifests/manifest-v<N>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kocorpus.tokenizer.shards import ShardSet, file_sha256

FORMAT = "kocorpus-shards/1"
MANIFEST = "manifest.json"


def write_json_atomic(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


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
    out_dir: str | Path, shardset: ShardSet, tokenizer_info, *, run_id: str, config_sha256: str, code_version: str, inputs=None, version: int = 1
) -> dict:
    out = Path(out_dir)
    tok_file = out / "tokenizer.json"
    shards = [asdict(s) for s in shardset.shards]
    return {
        "format": FORMAT,
        "version": version,
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "code_version": code_version,
        "config_sha256": config_sha256,
        "seq_len": shardset.seq_len,
        "dtype": shardset.dtype,
        "vocab_size": tokenizer_info.vocab_size,
        "bos_id": tokenizer_info.bos_id,
        "eos_id": shardset.eos_id,
        "pad_id": shardset.pad_id,
        "tokenizer": {"path": "tokenizer.json", "sha256": file_sha256(tok_file) if tok_file.exists() else tokenizer_info.sha256},
        "shards": shards,
        "totals": shard_totals(shards, shardset.padding_tokens),
        "lineage": {"path": shardset.lineage_path, "sha256": shardset.lineage_sha256},
        "inputs": inputs or {},
    }


def write_manifest(out_dir: str | Path, shardset: ShardSet, tokenizer_info, **kw) -> Path:
    """Write ``manifest.json`` last and atomically; returns its path."""
    path = Path(out_dir) / MANIFEST
    write_json_atomic(path, build_manifest(out_dir, shardset, tokenizer_info, **kw))
    return path


def load_manifest(path: str | Path) -> dict:
    p = Path(path)
    if p.is_dir():
        p = p / MANIFEST
    doc = json.loads(p.read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{p}: not a kocorpus shard manifest (format {doc.get('format')!r})")
    return doc


@dataclass
class VerifyReport:
    manifest: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_shards(manifest_path: str | Path, deep: bool = True) -> VerifyReport:
    """Recheck every file the manifest lists: presence, size, sha256; rows and tokens when ``deep``."""
    p = Path(manifest_path)
    doc = load_manifest(p)
    base = p.parent if p.is_file() else p
    report = VerifyReport(str(p))
    files = [(s["path"], s.get("bytes"), s["sha256"]) for s in doc["shards"]]
    files.append((doc["tokenizer"]["path"], None, doc["tokenizer"]["sha256"]))
    if doc.get("lineage"):
        files.append((doc["lineage"]["path"], None, doc["lineage"]["sha256"]))
    for rel, size, sha in files:
        f = base / rel
        report.checked += 1
        if not f.exists():
            report.problems.append(f"{rel}: missing")
            continue
        if size is not None and f.stat().st_size != size:
            report.problems.append(f"{rel}: {f.stat().st_size} bytes, manifest says {size}")
            continue
        actual = file_sha256(f)
        if actual != sha:
            report.problems.append(f"{rel}: sha256 {actual[:16]}... does not match the manifest's {sha[:16]}...")
    if deep:
        pad = doc["pad_id"]
        for s in doc["shards"]:
            f = base / s["path"]
            if not f.exists() or any(s["path"] in x for x in report.problems):
                continue
            try:
                table = pq.read_table(f, columns=["tokens", "doc_starts"])
            except Exception as e:  # a listed file that is no longer a readable shard
                report.problems.append(f"{s['path']}: unreadable ({e})")
                continue
            if table.num_rows != s["rows"]:
                report.problems.append(f"{s['path']}: {table.num_rows} rows, manifest says {s['rows']}")
            flat = table.column("tokens").combine_chunks().flatten().to_numpy()
            tokens = int(flat.size - _trailing_pad(flat, pad))
            if tokens != s["tokens"]:
                report.problems.append(f"{s['path']}: {tokens} tokens, manifest says {s['tokens']}")
            documents = int(pc.sum(pc.list_value_length(table.column("doc_starts"))).as_py() or 0)
            if documents != s["documents"]:
                report.problems.append(f"{s['path']}: {documents} documents start here, manifest says {s['documents']}")
        totals = doc.get("totals", {})
        for key in ("rows", "tokens", "documents", "bytes"):
            listed = sum(s[key] for s in doc["shards"])
            if key in totals and totals[key] != listed:
                report.problems.append(f"totals: {key} {totals[key]} != sum over shards {listed}")
    return report


def _trailing_pad(flat: np.ndarray, pad: int) -> int:
    """Padding sits only at the end of the last row of the dataset."""
    if flat.size == 0 or flat[-1] != pad:
        return 0
    nz = np.flatnonzero(flat != pad)
    return int(flat.size - (nz[-1] + 1 if nz.size else 0))

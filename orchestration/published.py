"""The published dataset: one folder (local or ``s3://``) that grows by one manifest version per night.

```
<publish_dir>/
    manifest.json                      the latest complete version: what readers take (written last)
    manifests/manifest-v000001.json    every version, written before manifest.json points at it
    shards/<run_id>/shard-*.parquet    each night's shards, never rewritten
    lineage/lineage-v000001.parquet    lineage of every shard of that version
    documents/documents-v000001.parquet  provenance of every document of that version
    tokenizer.json                     shared by every night (later nights encode with it)
```

Version N lists all shards of version N-1 plus the night's, and ``nights``:
every night in it with the input objects it consumed (the incremental
ledger). Same conventions as a takedown (``version``, ``previous``,
``manifests/``). A publish that dies half-way leaves ``manifest.json`` at
the previous version; shards it copied are unreferenced and are overwritten
by the retry. Publishing a night that is already in the latest version
changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus import storage
from kocorpus.files import write_bytes_atomic
from kocorpus.provenance.lineage import read_documents, read_lineage
from kocorpus.provenance.manifest import MANIFEST, commit_version, load_manifest, shard_totals
from kocorpus.tokenizer.shards import PARQUET_OPTIONS

#: Fields that must be equal between versions, or the shards could not be read as one dataset.
COMPATIBLE = ("format", "seq_len", "dtype", "vocab_size", "bos_id", "eos_id", "pad_id")


class PublishRefused(RuntimeError):
    """The night cannot be appended (incompatible dataset, failed gate)."""


def latest(target: str) -> dict | None:
    """The latest complete manifest of the dataset at ``target`` (None before the first night)."""
    data = storage.read_bytes(storage.join(target, MANIFEST))
    return None if data is None else json.loads(data)


def consumed(manifest: dict | None) -> set[tuple[str, int, str]]:
    """(path, size, mtime) of every input object consumed by a published night."""
    return {(f["path"], f["size"], f["mtime"]) for n in (manifest or {}).get("nights", []) for f in n["inputs"]}


def append_night(target: str, night_manifest: str | Path, *, date: str, inputs: list[dict]) -> dict:
    """Append a night's dataset (its verified local ``manifest.json``) as the next version; returns it.

    Order: shards, lineage, tokenizer, ``manifests/manifest-v<N>.json``, then
    ``manifest.json`` last.
    """
    src = Path(night_manifest)
    night = load_manifest(src)
    base = src.parent
    run_id = night["run_id"]
    prev = latest(target)
    if prev and any(n["run_id"] == run_id for n in prev.get("nights", [])):
        return prev  # already published: nothing changes
    if prev:
        diff = {k: (prev.get(k), night.get(k)) for k in COMPATIBLE if prev.get(k) != night.get(k)}
        if prev["tokenizer"]["sha256"] != night["tokenizer"]["sha256"]:
            diff["tokenizer.sha256"] = (prev["tokenizer"]["sha256"][:12], night["tokenizer"]["sha256"][:12])
        if diff:
            raise PublishRefused(f"{run_id} does not fit the published dataset at version {prev['version']}: {diff}")
    version = int(prev["version"]) + 1 if prev else 1

    renamed = {}
    new_shards = []
    for s in night["shards"]:
        rel = f"shards/{run_id}/{Path(s['path']).name}"
        storage.copy_file(str(base / s["path"]), storage.join(target, rel))
        renamed[s["path"]] = rel
        new_shards.append({**s, "path": rel})
    if not prev:
        storage.copy_file(str(base / night["tokenizer"]["path"]), storage.join(target, "tokenizer.json"))

    lineage = read_lineage(src, manifest=night)
    lineage = lineage.set_column(0, "shard", pa.array([renamed.get(x, x) for x in lineage.column("shard").to_pylist()], pa.string()))
    tables = {"lineage": lineage, "documents": read_documents(src, manifest=night)}
    files = {}
    for key, table in tables.items():
        if table is None:
            continue
        if prev and prev.get(key):
            table = pa.concat_tables([read_lineage(target, manifest=prev) if key == "lineage" else read_documents(target, manifest=prev), table])
        buf = io.BytesIO()
        pq.write_table(table, buf, **PARQUET_OPTIONS)
        rel = f"{key}/{key}-v{version:06d}.parquet"
        write_bytes_atomic(storage.join(target, rel), buf.getvalue())
        files[key] = {"path": rel, "sha256": hashlib.sha256(buf.getvalue()).hexdigest()}

    shards = (prev["shards"] if prev else []) + new_shards
    nights = (prev.get("nights", []) if prev else []) + [
        {
            "run_id": run_id,
            "date": date,
            "inputs": inputs,
            "shards": [s["path"] for s in new_shards],
            "documents": sum(s["documents"] for s in new_shards),
            "tokens": sum(s["tokens"] for s in new_shards),
        }
    ]
    pad = (prev["totals"].get("padding_tokens", 0) if prev else 0) + night["totals"].get("padding_tokens", 0)
    doc = {
        **{k: night[k] for k in COMPATIBLE},
        "run_id": run_id,
        "code_version": night["code_version"],
        "config_sha256": night["config_sha256"],
        "tokenizer": {"path": "tokenizer.json", "sha256": (prev or night)["tokenizer"]["sha256"]},
        "shards": shards,
        "totals": shard_totals(shards, pad),
        **files,
        "inputs": {},
        "nights": nights,
    }
    return commit_version(target, doc, prev)  # manifest.json last: readers now see version N

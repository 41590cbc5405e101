"""The published dataset: one folder (local or ``s3://``) that grows by one manifest version per night.

```
<publish_dir>/
    manifest.json                      the latest complete version: what readers take (written last)
    manifests/manifest-v000001.json    every version, written before manifest.json points at it
    shards/<run_id>/shard-*.parquet    each night's shards, never rewritten
    lineage/lineage-v000001.parquet    lineage of every shard of that version
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

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus.pipelines import storage
from kocorpus.tokenizer.manifest import MANIFEST, load_manifest, shard_totals
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA, PARQUET_OPTIONS

#: Fields that must be equal between versions, or the shards could not be read as one dataset.
COMPATIBLE = ("format", "seq_len", "dtype", "vocab_size", "bos_id", "eos_id", "pad_id")


class PublishRefused(RuntimeError):
    """The night cannot be appended (incompatible dataset, failed gate)."""


def _join(target: str, rel: str) -> str:
    return f"{target.rstrip('/')}/{rel}"


def read_bytes(path: str) -> bytes | None:
    fs, inner = storage.filesystem(path)
    try:
        with fs.open_input_stream(inner) as f:
            return f.read()
    except FileNotFoundError:
        return None


def write_bytes(path: str, data: bytes) -> None:
    fs, inner = storage.filesystem(path)
    fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(inner) as f:
        f.write(data)


def latest(target: str) -> dict | None:
    """The latest complete manifest of the dataset at ``target`` (None before the first night)."""
    data = read_bytes(_join(target, MANIFEST))
    return None if data is None else json.loads(data)


def consumed(manifest: dict | None) -> set[tuple[str, int, str]]:
    """(path, size, mtime) of every input object consumed by a published night."""
    return {(f["path"], f["size"], f["mtime"]) for n in (manifest or {}).get("nights", []) for f in n["inputs"]}


def _encode(doc: dict) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def _copy_file(src: Path, dest: str) -> None:
    fs, inner = storage.filesystem(dest)
    fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
    with open(src, "rb") as f, fs.open_output_stream(inner) as out:
        while chunk := f.read(8 << 20):
            out.write(chunk)


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
        _copy_file(base / s["path"], _join(target, rel))
        renamed[s["path"]] = rel
        new_shards.append({**s, "path": rel})
    if not prev:
        _copy_file(base / night["tokenizer"]["path"], _join(target, "tokenizer.json"))

    lineage = pq.read_table(base / night["lineage"]["path"]).cast(LINEAGE_SCHEMA)
    shard_col = pa.array([renamed.get(x, x) for x in lineage.column("shard").to_pylist()], pa.string())
    lineage = lineage.set_column(0, "shard", shard_col)
    if prev:
        old = pq.read_table(io.BytesIO(read_bytes(_join(target, prev["lineage"]["path"])))).cast(LINEAGE_SCHEMA)
        lineage = pa.concat_tables([old, lineage])
    buf = io.BytesIO()
    pq.write_table(lineage, buf, **PARQUET_OPTIONS)
    lineage_bytes = buf.getvalue()
    lineage_rel = f"lineage/lineage-v{version:06d}.parquet"
    write_bytes(_join(target, lineage_rel), lineage_bytes)

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
        "version": version,
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "code_version": night["code_version"],
        "config_sha256": night["config_sha256"],
        "previous": f"manifests/manifest-v{version - 1:06d}.json" if prev else None,
        "tokenizer": {"path": "tokenizer.json", "sha256": (prev or night)["tokenizer"]["sha256"]},
        "shards": shards,
        "totals": shard_totals(shards, pad),
        "lineage": {"path": lineage_rel, "sha256": hashlib.sha256(lineage_bytes).hexdigest()},
        "inputs": {},
        "nights": nights,
    }
    payload = _encode(doc)
    write_bytes(_join(target, f"manifests/manifest-v{version:06d}.json"), payload)
    write_bytes(_join(target, MANIFEST), payload)  # the commit: readers now see version N
    return doc

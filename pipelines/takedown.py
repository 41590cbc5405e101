"""Takedown: remove documents from a published dataset and prove it.

Steps, for a request naming a url, a domain, a source or a doc_id:

1. find the matching documents among those that reached the shards;
2. find the affected shards through the lineage;
3. rebuild only those shards: each keeps its other documents' token pieces in
   their order, re-cut into full rows (the last row of a rebuilt shard is
   padded); every other shard file is left untouched, byte for byte;
4. write a new manifest version (the previous one is kept under
   ``manifests/``) and a new lineage file;
5. verify: the new manifest's checksums hold, its lineage lists none of the
   removed documents, and no listed shard contains a token span of them;
6. append the request and its result to ``takedown-log.jsonl`` (append-only).

Future runs honour the request when its url/domain is added to the opt-out
list (``[policy] opt_out_file``); the log says which entries to add.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from kocorpus.pipelines.audit import layout_of
from kocorpus.tokenizer.manifest import load_manifest, shard_totals, verify_shards, write_json_atomic
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA, PARQUET_OPTIONS, file_sha256, shard_schema

LOG = "takedown-log.jsonl"
MIN_SPAN = 8  # token spans shorter than this are too common to prove presence


@dataclass
class TakedownRequest:
    url: str | None = None
    domain: str | None = None
    source: str | None = None
    doc_id: str | None = None
    requested_by: str = ""
    note: str = ""

    def matcher(self):
        if self.doc_id:
            return ds.field("doc_id") == self.doc_id
        if self.url:
            return ds.field("url") == self.url
        if self.source:
            return ds.field("source") == self.source
        if self.domain:
            d = self.domain.lower().removeprefix("www.")
            return (ds.field("domain") == d) | pc.ends_with(ds.field("domain"), "." + d)
        raise ValueError("a takedown needs --url, --domain, --source or --doc-id")


def takedown(run_dir: str | Path, req: TakedownRequest) -> dict:
    lay = layout_of(run_dir)
    dataset = lay.dataset_dir
    manifest = load_manifest(dataset / "manifest.json")
    docs = ds.dataset(lay.kept_dir("dedup")).to_table(columns=["doc_id", "url", "domain", "source"], filter=req.matcher())
    removed = set(docs.column("doc_id").to_pylist())
    lineage = pq.read_table(dataset / manifest["lineage"]["path"])
    hit = lineage.filter(pc.is_in(lineage.column("doc_id"), pa.array(sorted(removed), pa.string())))
    affected = sorted(set(hit.column("shard").to_pylist()))
    started = _now()
    spans = _removed_spans(dataset, hit)
    new_manifest = manifest
    if affected:
        new_manifest = _rebuild(dataset, manifest, lineage, removed, affected)
    verification = verify_removal(dataset, removed, spans)
    entry = {
        "at": started,
        "request": asdict(req),
        "run_id": manifest["run_id"],
        "documents_removed": sorted(removed),
        "shards_rebuilt": affected,
        "manifest_version": new_manifest["version"],
        "verified": verification["ok"],
        "verification": verification,
        "honour_in_future_runs": req.url or req.domain or (f"source {req.source}" if req.source else f"doc_id {req.doc_id}"),
    }
    with open(dataset / LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    return entry


def _removed_spans(dataset: Path, hit: pa.Table) -> list[bytes]:
    """The removed documents' token pieces (as bytes), read from the current shards."""
    spans = []
    by_shard: dict[str, list[dict]] = {}
    for r in hit.to_pylist():
        by_shard.setdefault(r["shard"], []).append(r)
    for shard, rows in by_shard.items():
        tokens = pq.read_table(dataset / shard, columns=["tokens"]).column("tokens").to_pylist()
        for r in rows:
            piece = np.asarray(tokens[r["row"]][r["start"] : r["end"] - 1])  # without the EOS
            if piece.size >= MIN_SPAN:
                spans.append(piece)
    return [np.ascontiguousarray(s).tobytes() for s in spans]


def _rebuild(dataset: Path, manifest: dict, lineage: pa.Table, removed: set[str], affected: list[str]) -> dict:
    version = int(manifest.get("version", 1)) + 1
    row_len = manifest["seq_len"] + 1
    dtype = np.dtype(manifest["dtype"])
    schema = shard_schema(manifest["seq_len"], dtype)
    entries = {s["path"]: dict(s) for s in manifest["shards"]}
    keep_lineage = lineage.filter(pc.invert(pc.is_in(lineage.column("shard"), pa.array(affected, pa.string()))))
    new_lineage = [keep_lineage]
    renamed: dict[str, str] = {}
    for shard in affected:
        table = pq.read_table(dataset / shard)
        rows = table.column("tokens").to_pylist()
        starts = table.column("doc_starts").to_pylist()
        mine = lineage.filter(pc.equal(lineage.column("shard"), shard)).sort_by([("row", "ascending"), ("start", "ascending")])
        stream: list[np.ndarray] = []
        pieces: list[tuple[str, int, bool]] = []  # doc_id, length, is the document's start
        for r in mine.to_pylist():
            if r["doc_id"] in removed:
                continue
            stream.append(np.asarray(rows[r["row"]][r["start"] : r["end"]], dtype=dtype))
            pieces.append((r["doc_id"], r["end"] - r["start"], r["start"] in starts[r["row"]]))
        flat = np.concatenate(stream) if stream else np.empty(0, dtype=dtype)
        n_rows = -(-flat.size // row_len)
        padding = n_rows * row_len - flat.size
        padded = np.concatenate([flat, np.full(padding, manifest["pad_id"], dtype=dtype)])
        row_starts: list[list[int]] = [[] for _ in range(n_rows)]
        lin_rows = []
        stem = Path(shard).name.split(".")[0]
        new_rel = f"shards/{stem}.v{version}.parquet"
        pos = 0
        for doc_id, length, is_start in pieces:
            if is_start:
                row_starts[pos // row_len].append(pos % row_len)
            end = pos + length
            while pos < end:
                row, off = divmod(pos, row_len)
                take = min(row_len - off, end - pos)
                lin_rows.append((new_rel, row, doc_id, off, off + take))
                pos += take
        values = pa.array(padded, type=schema.field("tokens").type.value_type)
        out = pa.Table.from_arrays(
            [pa.FixedSizeListArray.from_arrays(values, row_len), pa.array(row_starts, pa.list_(pa.int32()))], schema=schema
        )
        path = dataset / new_rel
        pq.write_table(out, path, row_group_size=max(1, (4 << 20) // (row_len * dtype.itemsize)), **PARQUET_OPTIONS)
        entries[shard] = {
            "path": new_rel,
            "rows": n_rows,
            "tokens": int(flat.size),
            "documents": sum(1 for p in pieces if p[2]),
            "bytes": path.stat().st_size,
            "sha256": file_sha256(path),
        }
        renamed[shard] = new_rel
        if lin_rows:
            cols = list(zip(*lin_rows))
            new_lineage.append(pa.Table.from_arrays([pa.array(c) for c in cols], schema=LINEAGE_SCHEMA))
    lineage_rel = f"lineage.v{version}.parquet"
    pq.write_table(pa.concat_tables(new_lineage).cast(LINEAGE_SCHEMA), dataset / lineage_rel, **PARQUET_OPTIONS)
    archive = dataset / "manifests" / f"manifest-v{int(manifest.get('version', 1)):06d}.json"
    write_json_atomic(archive, manifest)
    shards = [entries[s["path"]] for s in manifest["shards"]]
    new = {
        **manifest,
        "version": version,
        "created_at": _now(),
        "previous": str(archive.relative_to(dataset)),
        "shards": shards,
        "lineage": {"path": lineage_rel, "sha256": file_sha256(dataset / lineage_rel)},
    }
    padding = sum(s["rows"] for s in shards) * row_len - sum(s["tokens"] for s in shards)
    new["totals"] = {**manifest["totals"], **shard_totals(shards, padding)}
    write_json_atomic(dataset / "manifest.json", new)
    return new


def verify_removal(dataset: Path, removed: set[str], spans: list[bytes]) -> dict:
    """Check the current manifest: checksums, lineage free of ``removed``, no removed token span in any shard."""
    manifest = load_manifest(dataset / "manifest.json")
    report = verify_shards(dataset / "manifest.json")
    lineage = pq.read_table(dataset / manifest["lineage"]["path"], columns=["doc_id"])
    in_lineage = sorted(removed & set(lineage.column("doc_id").to_pylist()))
    found = []
    for s in manifest["shards"]:
        blob = pq.read_table(dataset / s["path"], columns=["tokens"]).column("tokens").combine_chunks().flatten()
        data = np.ascontiguousarray(blob.to_numpy()).tobytes()
        itemsize = np.dtype(manifest["dtype"]).itemsize
        for span in spans:
            i = data.find(span)
            while i >= 0 and i % itemsize:
                i = data.find(span, i + 1)
            if i >= 0:
                found.append(s["path"])
                break
    return {
        "ok": report.ok and not in_lineage and not found,
        "checksums_ok": report.ok,
        "problems": report.problems,
        "removed_in_lineage": in_lineage,
        "shards_with_removed_spans": found,
        "spans_checked": len(spans),
        "shards_checked": len(manifest["shards"]),
    }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

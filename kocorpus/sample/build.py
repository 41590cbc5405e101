"""Builds the bundled sample corpus (the demo's input) from the public corpora in ../shared/corpora.

Run once by maintainers: ``python -m kocorpus.sample.build /path/to/shared/corpora``.
The output is committed under ``kocorpus/sample/data`` with ``kocorpus.toml``;
the demo never needs the shared folder. Every file is written
deterministically (fixed seed, gzip mtime 0, fixed WARC record ids), so a
rebuild gives the same bytes.

What it holds (about 430 documents, six sources, five formats):
- ``news-archive``   licensed CC-BY-2.5 Korean Wikinews, JSONL .gz and .zst, with
                     exact and near duplicates, a broken JSON line, a wrong-type
                     record, an invalid UTF-8 line and planted personal data;
- ``essays``         licensed CC-BY-SA-4.0 paragraphs of edited sentences (UD Korean), Parquet;
- ``movie-reviews``  crawl CC0-1.0 movie reviews and synopses, plain JSONL (short, noisy);
- ``web-crawl``      crawl pages in one WARC file: HTML with portal boilerplate,
                     personal data, an English page, a ``noai`` page, an opted-out
                     domain, a CP949 page declared euc-kr and a binary payload;
- ``community``      crawl CC-BY-SA-4.0 comment threads as .txt files: one CP949 file,
                     one mojibake file, one Japanese file and one empty file;
- ``qa-pairs``       licensed MIT chatbot pairs, JSONL;
- ``nc-archive``     a CC-BY-NC-4.0 source that the licence policy forbids.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
OUT = HERE / "data"
SEED = 20261122

BOILERPLATE_HEAD = ["홈 | 뉴스 | 스포츠 | 연예 | 로그인", "공유하기 페이스북 트위터 카카오톡", "글자크기 가 가"]
BOILERPLATE_TAIL = [
    "댓글 12개",
    "좋아요 34 공유 5",
    "Copyright ⓒ 한빛일보. 무단 전재 및 재배포 금지",
    "ⓒ 2024 한빛일보 All rights reserved.",
]


def fake_rrn(rng: random.Random) -> str:
    yy, mm, dd = rng.randint(60, 99), rng.randint(1, 12), rng.randint(1, 28)
    s = rng.choice([1, 2])
    body = f"{yy:02d}{mm:02d}{dd:02d}{s}{rng.randint(0, 99999):05d}"
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = (11 - sum(int(c) * w for c, w in zip(body, weights)) % 11) % 10
    full = body + str(check)
    return f"{full[:6]}-{full[6:]}"


def fake_phone(rng: random.Random) -> str:
    return f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"


def fake_email(rng: random.Random) -> str:
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7))
    return f"{user}{rng.randint(1, 99)}@{rng.choice(['naver.com', 'daum.net', 'gmail.com', 'hanmail.net'])}"


def pii_sentence(rng: random.Random) -> str:
    kind = rng.choice(["phone", "email", "rrn"])
    if kind == "phone":
        return f"제보는 담당 기자 휴대전화 {fake_phone(rng)}로 받습니다."
    if kind == "email":
        return f"문의 사항은 이메일 {fake_email(rng)}으로 보내 주시기 바랍니다."
    return f"신청서에는 주민등록번호 {fake_rrn(rng)}를 적도록 되어 있었다."


def near_duplicate(text: str, rng: random.Random) -> str:
    """A light edit: one sentence dropped or a few words changed (Jaccard stays high)."""
    sents = [s for s in text.split(". ") if s]
    if len(sents) > 6:
        del sents[rng.randrange(1, len(sents) - 1)]
        return ". ".join(sents)
    return text.replace("했다", "하였다", 1) + " 관련 소식은 추후 전해드리겠습니다."


def write_jsonl(path: Path, rows: list, compress: str | None = None) -> None:
    lines = []
    for r in rows:
        lines.append(r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode("utf-8"))
    payload = b"\n".join(lines) + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress == "gz":
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
            g.write(payload)
        path.write_bytes(buf.getvalue())
    elif compress == "zst":
        import zstandard

        path.write_bytes(zstandard.ZstdCompressor(level=10).compress(payload))
    else:
        path.write_bytes(payload)


def html_page(title: str, body: str, *, noai: bool = False, charset: str = "utf-8") -> str:
    meta = '<meta name="robots" content="noai, noimageai">' if noai else ""
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
    head = "".join(f"<li>{x}</li>" for x in BOILERPLATE_HEAD)
    tail = "".join(f"<div>{x}</div>" for x in BOILERPLATE_TAIL)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">{meta}<title>{title}</title>'
        f"<script>var t=1;</script><style>p{{margin:0}}</style></head><body>"
        f"<nav><ul>{head}</ul></nav><article><h1>{title}</h1>{paras}</article>"
        f"<footer>{tail}</footer></body></html>"
    )


def build(corpora: Path) -> None:
    rng = random.Random(SEED)
    read = lambda name: pq.read_table(corpora / f"{name}.parquet").to_pylist()  # noqa: E731
    longform = read("longform_news_reviews")
    wiki = [r for r in longform if r["source"] == "wikinews" and 400 <= len(r["text"]) <= 3000]
    rng.shuffle(wiki)
    if OUT.exists():
        import shutil

        shutil.rmtree(OUT)

    # news-archive: JSONL .gz and .zst with the field mapping body/article_id/link/published
    news = wiki[:120]
    def news_row(r, text=None, rid=None):  # noqa: E306
        return {"article_id": rid or r["id"], "body": text or r["text"], "link": r["url"], "published": r["date"]}
    rows_a = [news_row(r) for r in news[:60]]
    for r in news[:8]:
        pos = rng.randrange(len(rows_a))
        rows_a[pos] = news_row(r, r["text"].rstrip() + " " + pii_sentence(rng), rows_a[pos]["article_id"])
    rows_a += [news_row(news[i], rid=f"{news[i]['id']}-repost") for i in range(3)]  # exact duplicates
    rows_a.append(b'{"article_id": "broken-1", "body": "\xea\xb8\xb0\xec\x82\xac \xeb\xb3\xb8\xeb\xac\xb8')  # cut JSON
    rows_a.append(json.dumps({"article_id": "wrong-type-1", "body": 12345, "link": None}).encode())
    write_jsonl(OUT / "news" / "2024-01.jsonl.gz", rows_a, "gz")
    rows_b = [news_row(r) for r in news[60:120]]
    rows_b += [news_row(news[i], near_duplicate(news[i]["text"], rng), f"{news[i]['id']}-edit") for i in range(3, 6)]
    rows_b.append(b'{"article_id": "bad-utf8-1", "body": "\xbf\xc0\xb4\xc3 \xff\xfe \xc0\xcc\xbe\xdf\xb1\xe2"}')
    write_jsonl(OUT / "news" / "2024-02.jsonl.zst", rows_b, "zst")

    # essays: edited sentences grouped into paragraphs, Parquet with its own column names
    ud = [r["text"] for r in read("ud_sentences") if len(r["text"]) > 25]
    rng.shuffle(ud)
    for sub in ("essays", "nc"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    paras = [" ".join(ud[i * 7 : i * 7 + 7]) for i in range(70)]
    pq.write_table(
        pa.table(
            {
                "essay_id": [f"essay-{i:04d}" for i in range(len(paras))],
                "content": paras,
                "written": [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(len(paras))],
            }
        ),
        OUT / "essays" / "essays.parquet",
        compression="zstd",
    )

    # movie-reviews: short noisy crawl text plus a few synopses
    reviews = [r for r in read("nsmc_reviews")[:4000] if r["text"]]
    rng.shuffle(reviews)
    synopses = read("nsmc_synopses")[:30]
    mrows = [{"id": r["id"], "text": r["text"], "date": r["date"]} for r in reviews[:80]]
    mrows += [{"id": r["id"], "text": r["text"]} for r in synopses]
    write_jsonl(OUT / "movies" / "reviews.jsonl", mrows)

    # web-crawl: one WARC file with HTML pages
    build_warc(wiki[120:160], rng, corpora)

    # community: .txt threads of news comments (noisy user text)
    comments = [r["text"] for r in read("news_comments")[:3000] if len(r["text"]) > 15]
    rng.shuffle(comments)
    forum = OUT / "community"
    forum.mkdir(parents=True, exist_ok=True)
    for i in range(40):
        post = "\n".join(comments[i * 10 : i * 10 + 10])
        (forum / f"post-{i:03d}.txt").write_text(post + "\n", encoding="utf-8")
    (forum / "post-cp949.txt").write_bytes("\n".join(ud[500:510]).encode("cp949", "replace"))
    moj = "\n".join(ud[510:518]).encode("utf-8").decode("latin-1")
    (forum / "post-mojibake.txt").write_text(moj, encoding="utf-8")
    flores = pq.read_table(corpora / "langid_flores200.parquet").to_pylist()
    jpn = [r["text"] for r in flores if r["lang"] == "jpn_Jpan"][:6]
    (forum / "post-japanese.txt").write_text("\n".join(jpn), encoding="utf-8")
    (forum / "post-empty.txt").write_bytes(b"")

    # qa-pairs: short chatbot pairs
    qa = read("chatbot_qa")
    rng.shuffle(qa)
    write_jsonl(OUT / "qa" / "pairs.jsonl", [{"id": r["id"], "text": r["text"]} for r in qa[:30]])

    # nc-archive: a non-commercial licence that the policy forbids
    pq.write_table(
        pa.table({"id": [f"nc-{i}" for i in range(5)], "text": ["\n".join(ud[520 + i * 5 : 525 + i * 5]) for i in range(5)]}),
        OUT / "nc" / "archive.parquet",
        compression="zstd",
    )
    print(f"sample written to {OUT}")


def build_warc(pages: list[dict], rng: random.Random, corpora: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = OUT / "crawl" / "crawl-0001.warc.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    domains = ["news.hanbit.example", "blog.dalbit.example", "www.saebyeok.example", "optout.example"]

    def record(n: int, url: str, payload: bytes, ctype: str, extra_http: list | None = None):
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)] + (extra_http or []), protocol="HTTP/1.1")
        warc_headers = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
            "WARC-Date": f"2024-03-{1 + n % 28:02d}T00:00:00Z",
        }
        rec = writer.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=warc_headers
        )
        writer.write_record(rec)

    n = 0
    for i, r in enumerate(pages[:34]):
        body = r["text"]
        if i % 4 == 0:
            body = body + "\n" + pii_sentence(rng)
        url = f"https://{domains[i % 3]}/article/{i:04d}"
        record(n, url, html_page(r["title"] or "기사", body).encode("utf-8"), "text/html; charset=utf-8")
        n += 1
    r = pages[34]
    record(n, "https://optout.example/post/1", html_page(r["title"], r["text"]).encode(), "text/html")
    n += 1
    r = pages[35]
    record(n, "https://blog.dalbit.example/noai", html_page(r["title"], r["text"], noai=True).encode(), "text/html")
    n += 1
    r = pages[36]
    page = html_page(r["title"], r["text"], charset="euc-kr").encode("cp949", "replace")
    record(n, "https://www.saebyeok.example/legacy/1", page, "text/html; charset=euc-kr")
    n += 1
    flores = pq.read_table(corpora / "langid_flores200.parquet").to_pylist()
    eng = "\n".join(x["text"] for x in flores if x["lang"] == "eng_Latn")[:2500]
    record(n, "https://news.hanbit.example/en/1", html_page("World news", eng).encode(), "text/html")
    n += 1
    record(n, "https://news.hanbit.example/photo.jpg", bytes(rng.randrange(256) for _ in range(3000)), "image/jpeg")
    n += 1
    binary_html = b"<html>" + bytes(rng.randrange(256) for _ in range(3000))
    record(n, "https://blog.dalbit.example/broken", binary_html, "text/html")
    path.write_bytes(buf.getvalue())


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "corpora"))

"""Main-content extraction: the default engine plus the line remover on hand-written Korean pages.

Each ``pages/NAME.html`` (written by hand after the structure of Korean portals, newspapers,
blogs, Q&A and community sites; three of them in EUC-KR/CP949 bytes) has a sidecar
``NAME.json``: the title, declared charset and opt-out signal the page carries, sentences of
its main text (``must_contain``) and boilerplate from around it (``must_not_contain``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kocorpus.filters.boilerplate import BoilerplateLineRemover
from kocorpus.sources.decode import decode_bytes
from kocorpus.sources.extract import DEFAULT_ENGINE, ENGINES, HtmlExtractor
from kocorpus.sources.html_text import meta_opts_out, sniff_charset

PAGES = Path(__file__).parent / "pages"
NAMES = sorted(p.stem for p in PAGES.glob("*.html"))
LIBRARY_ENGINES = [e for e in ENGINES if e != "builtin"]


def load(name: str) -> tuple[str, str, dict]:
    """``(decoded html, encoding used, sidecar)``, decoded as ``read_warc`` does."""
    raw = (PAGES / f"{name}.html").read_bytes()
    html, encoding = decode_bytes(raw, sniff_charset(raw))
    return html, encoding, json.loads((PAGES / f"{name}.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def remover():
    return BoilerplateLineRemover()


def test_the_set_is_what_the_issue_asks_for():
    assert len(NAMES) >= 12
    legacy = [n for n in NAMES if load(n)[2].get("encoding") in ("euc-kr", "cp949")]
    assert len(legacy) >= 2
    for name in legacy:  # really legacy bytes, so the CP949 path is exercised
        with pytest.raises(UnicodeDecodeError):
            (PAGES / f"{name}.html").read_bytes().decode("utf-8")
        assert load(name)[1] == "cp949"
    htmls = {n: load(n)[0] for n in NAMES}
    assert any("<form" in h and "__VIEWSTATE" in h for h in htmls.values())
    assert any("</head>" not in h.lower() for h in htmls.values())
    for name in NAMES:
        side = load(name)[2]
        assert len(side["must_contain"]) >= 3 and len(side["must_not_contain"]) >= 5, name


@pytest.mark.parametrize("name", NAMES)
def test_default_engine_and_line_remover_keep_the_article_and_drop_the_boilerplate(name, remover):
    html, _, side = load(name)
    page = HtmlExtractor().extract(html)
    text = remover.clean(page.text).text
    missing = [s for s in side["must_contain"] if s not in text]
    leaked = [s for s in side["must_not_contain"] if s in text]
    assert missing == [] and leaked == [], f"{name}: missing {missing}, leaked {leaked}\n---\n{text}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", NAMES)
def test_title_charset_and_opt_out_come_with_every_engine(engine, name):
    html, _, side = load(name)
    page = HtmlExtractor(engine).extract(html)
    assert page.title == side["title"]
    assert (page.declared_charset or "").lower() == side["declared_charset"].lower()
    assert page.noai is side["noai"]


@pytest.mark.parametrize("engine", LIBRARY_ENGINES)
@pytest.mark.parametrize("name", ["aspnet_form_news", "no_head_close"])
def test_form_wrapped_and_unclosed_head_pages_are_not_empty(engine, name):
    # The builtin extractor skips everything inside <form> and after an unclosed <head>.
    html, _, side = load(name)
    text = HtmlExtractor(engine).extract(html).text
    assert side["must_contain"][0] in text


@pytest.mark.parametrize("engine", ENGINES)
def test_a_page_without_text_is_an_empty_extraction(engine):
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><meta name='robots' content='NOAI'>"
        "<title> 빈 페이지 </title></head><body><script>var x = '본문 아님';</script>"
        "<style>p{color:red}</style><img src='a.png'></body></html>"
    )
    page = HtmlExtractor(engine).extract(html)
    assert page.text == ""
    assert page.title == "빈 페이지" and page.noai is True and page.declared_charset == "utf-8"


def test_broken_markup_never_raises():
    extractor = HtmlExtractor()
    for html in ["", "<", "<html><body><p>하나</p", "\x00\x01<div>" * 50, "<table>" * 2000 + "깊은 표"]:
        assert isinstance(extractor.extract(html).text, str)


def test_hybrid_gives_korean_pages_resiliparses_text():
    for name in NAMES:
        html = load(name)[0]
        page = HtmlExtractor("hybrid").extract(html)
        assert page.engine == "resiliparse" and page.text == HtmlExtractor("resiliparse").extract(html).text, name


def test_hybrid_uses_resiliparse_where_trafilatura_finds_next_to_nothing():
    # naver-like article: text between <br> directly in <article>; fast trafilatura keeps only the notice
    html, _, side = load("naver_news")
    page = HtmlExtractor("hybrid", korean_share=None).extract(html)
    assert page.engine == "resiliparse" and side["must_contain"][0] in page.text
    only_empty = HtmlExtractor("hybrid", korean_share=None, rescue_ratio=0).extract(html)
    assert only_empty.engine == "trafilatura" and side["must_contain"][0] not in only_empty.text
    newspaper = HtmlExtractor("hybrid", korean_share=None).extract(load("newspaper_article")[0])
    assert newspaper.engine == "trafilatura"


_PARA = (
    "The committee met on Tuesday to review the regional water plan, and its members agreed that the "
    "reservoir upgrade should start next spring after the public hearings end. "
)
_CONTAINER_PAGE = f"""<html><head><title>Water plan</title></head><body><div class="site">
<div class="promo-strip"><p>{"Subscribe today and read every story on the water plan, the budget and the hearings without limits. " * 2}</p></div>
<div class="entry-content"><p>{_PARA}</p><p>{_PARA.replace("Tuesday", "Friday")}</p><p>{_PARA.replace("spring", "autumn")}</p></div>
<div class="author-box"><p>Jane Doe writes about infrastructure and public budgets for the paper and lives in the valley.</p></div>
</div></body></html>"""


@pytest.mark.parametrize("max_chars, part", [(200_000, "trafilatura"), (0, "resiliparse")])
def test_hybrid_reads_only_the_main_container(max_chars, part):
    page = HtmlExtractor("hybrid", max_trafilatura_chars=max_chars).extract(_CONTAINER_PAGE)
    assert page.engine == part
    assert "Friday" in page.text and "autumn" in page.text
    assert "Subscribe" not in page.text and "Jane Doe" not in page.text
    whole = HtmlExtractor("resiliparse").extract(_CONTAINER_PAGE).text  # what the container step leaves out
    assert "Subscribe" in whole and "Jane Doe" in whole


def test_hybrid_options_are_checked():
    for bad in ({"container_share": 1.5}, {"korean_share": -0.1}, {"max_trafilatura_chars": -1}, {"rescue_ratio": 2}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            HtmlExtractor("hybrid", **bad)


def test_trafilatura_text_does_not_depend_on_pages_seen_before():
    html = load("newspaper_article")[0]
    same = {HtmlExtractor("trafilatura").extract(html).text for _ in range(4)}
    assert len(same) == 1
    # with trafilatura's own deduplicate (FineWeb's setting) the same page comes out differently
    # once its paragraphs are in the process-wide cache
    seen = [HtmlExtractor("trafilatura", deduplicate=True).extract(html).text for _ in range(4)]
    assert seen[-1] != seen[0]


def test_from_config_reads_the_extract_table():
    default = HtmlExtractor.from_config({})
    assert default.engine == DEFAULT_ENGINE == "hybrid"
    hybrid = HtmlExtractor.from_config({"engine": "hybrid", "rescue_ratio": 0.5, "include_tables": False})
    assert (hybrid.engine, hybrid.rescue_ratio, hybrid.include_tables, hybrid.trafilatura_fast) == ("hybrid", 0.5, False, True)
    assert HtmlExtractor.from_config({"engine": "trafilatura"}).trafilatura_fast is False
    assert HtmlExtractor.from_config({"engine": "hybrid"}).describe()["engine"] == "hybrid"
    with pytest.raises(ValueError, match="engine"):
        HtmlExtractor.from_config({"engine": "readability"})
    with pytest.raises(TypeError):
        HtmlExtractor.from_config({"engine": "resiliparse", "favour_precision": True})
    with pytest.raises(ValueError, match="rescue_ratio"):
        HtmlExtractor(rescue_ratio=2)


@pytest.mark.parametrize(
    "name, content, reserved",
    [
        ("robots", "noai, noimageai", True),
        ("ROBOTS", "index, follow, NoAI", True),
        ("robots", "noimageai", True),
        ("tdm-reservation", "1", True),
        ("tdm-reservation", "0", False),
        ("robots", "index, follow", False),
        ("description", "noai 기술 소개", False),
    ],
)
def test_opt_out_meta(name, content, reserved):
    assert meta_opts_out(name, content) is reserved

"""Main-content extraction: decoded HTML in, the page's main text and signals out.

Engines (``HtmlExtractor(engine=...)``; figures from ``bench/extract.py``, docs/extraction.md):

- ``hybrid`` (default): on Korean pages (at least ``korean_share`` of the letters
  of resiliparse's text Hangul) resiliparse's text, as the ``resiliparse`` engine
  gives it: the quality step's line remover knows Korean boilerplate, and
  trafilatura's rules miss Korean layouts (5 of the 14 Korean test pages: a
  question outside the answer's container, recipe steps in ``<div>``, layout
  tables). On other pages, resiliparse finds the main container (the first of
  :data:`CONTAINER_SELECTORS` that holds at least ``container_share`` of
  resiliparse's text) and trafilatura (``fast=True``) extracts inside it only,
  which cuts trafilatura's CPU by about two fifths: its cost grows with the tree
  it is given. resiliparse answers alone (with :data:`BOILERPLATE_SELECTORS`
  skipped) where trafilatura would cost most (more than ``max_trafilatura_chars``
  of HTML to read) and where trafilatura finds nothing or less than
  ``rescue_ratio`` of resiliparse's text. On trafilatura's 884-page evaluation
  set F1 0.923 (trafilatura with FineWeb's settings: 0.923) at 0.40 of its CPU.
- ``resiliparse``: ``extract_plain_text(main_content=True)`` (DCLM's
  extractor) with comment sections, post meta data and alt texts off. About a
  tenth of trafilatura's CPU time per page; F1 0.866 on the evaluation set (it
  keeps more boilerplate lines, P 0.80), and on the Korean test pages, followed
  by the quality step's ``BoilerplateLineRemover``, every page right.
- ``trafilatura``: ``trafilatura.extract`` with FineWeb's settings
  (``favor_precision``, no comments), its readability/jusText fallbacks on;
  ``deduplicate`` off by default (see below). F1 0.924; 9 of 14 Korean pages.
- ``builtin``: the stdlib extractor of ``html_text.py`` (all visible text, F1 0.70).

Whatever the engine (``builtin`` aside, which reads them itself), the page's
own signals come from one resiliparse parse (an HTML5 parser, so a page
without ``</head>`` or wrapped in an ASP.NET ``<form>`` parses as a browser
would): the ``<title>``, the declared charset (``<meta charset>`` or
``http-equiv`` Content-Type) and the opt-out signal (``meta robots``
noai/noimageai, ``tdm-reservation`` = 1). Decoding is not done here: the reader
decodes bytes first (``sources/decode.py``, EUC-KR as CP949) and hands over a ``str``.

Invariant: :meth:`HtmlExtractor.extract` never raises for bad HTML; when the
engine finds no text, ``HtmlPage.text == ""``, so the reader can reject the
record with reason ``empty_extraction`` at the extraction stage.

trafilatura's ``deduplicate`` keeps a process-wide cache of paragraphs already
seen, which makes a page's text depend on the pages the same Python worker
extracted before it; it is off by default so two runs give the same text
(the dedup stage removes repeated documents instead).
"""

from __future__ import annotations

from typing import Any

from kocorpus.filters.korean_script import hangul_ratio
from kocorpus.sources.html_text import HtmlPage, html_to_text, meta_opts_out

ENGINES = ("resiliparse", "trafilatura", "hybrid", "builtin")
DEFAULT_ENGINE = "hybrid"


def _any_of(attribute_tokens: tuple[str, ...]) -> str:
    return ", ".join(f'[{a}*="{t}" i]' for a in ("class", "id") for t in attribute_tokens)


#: Where a page's main text lives, most specific first: one CSS selector list per tier; the
#: hybrid takes the first element of the first tier that holds enough of the page's text.
#: Tier 1 names article bodies (schema.org, CMS classes, Korean portals and newspaper CMSs:
#: Naver news ``dic_area``/``articleBodyContents``, Naver blog ``se-main-container``, Daum
#: ``harmonyContainer``, Tistory, the ``article-view-content-div`` of many Korean newspapers);
#: then ``<article>``; then generic content areas; then the page's main region.
CONTAINER_SELECTORS: tuple[str, ...] = (
    ", ".join(
        [
            '[itemprop="articleBody" i]',
            "#dic_area",
            "#articleBodyContents",
            "#newsct_article",
            ".se-main-container",
            "#harmonyContainer",
            ".tt_article_useless_p_margin",
            "#article-view-content-div",
        ]
        + [_any_of(("entry-content", "article-content", "article__content", "article-body", "article__body",
                    "articlebody", "post-body", "post-content", "post_content", "postcontent", "post-text",
                    "post-entry", "article-text", "articletext", "story-body", "story-content", "body-text",
                    "page-content", "text-content", "fulltext", "field-body"))]
    ),
    "article",
    ", ".join(
        ['[role="article"]', "#article", "#story", "#content", ".content", ".story", ".text"]
        + [_any_of(("content-main", "content-body", "main-content", "single-content", "blog-content", "main-column"))]
    ),
    'main, [role="main"], div[id^="main"], div[class^="main"]',
)

#: Blocks skipped when resiliparse answers for the hybrid: footers, author boxes, teasers,
#: related-article and sharing blocks, ratings, newsletter and paywall boxes, cookie banners.
#: Each was kept for removing more boilerplate snippets than main-text snippets on one half of
#: trafilatura's evaluation set (``bench/extract.py`` scores both halves).
BOILERPLATE_SELECTORS: tuple[str, ...] = (
    ", ".join(
        [
            '[class*="footer" i]', '[id*="footer" i]', '[class*="author" i]', '[id*="author" i]',
            '[class*="teaser" i]', '[id*="teaser" i]', '[class*="related" i]', '[class*="rating" i]',
            '[id*="rating" i]', '[id*="subscribe" i]', '[id*="signup" i]', '[id*="newsletter" i]',
            '[id*="widget" i]', '[id*="paywall" i]', '[id*="respond" i]', '[class*="cookie" i]',
            '[id*="sidebar" i]', '[class*="breadcrumb" i]', '[class*="sociable" i]', '[class^="shar" i]',
            '[class*=" shar" i]', '[class*="pagination" i]', '[class*="disclaimer" i]',
            '[class*="advert" i]', '[class*="modal" i]', '[class*="overlay" i]', '[class~="noprint" i]',
        ]
    ),
)


class HtmlExtractor:
    """Extract a page's main text with one engine (see module docstring).

    Args:
        engine: ``resiliparse`` | ``trafilatura`` | ``hybrid`` | ``builtin``.
        favor_precision: trafilatura's ``favor_precision`` (FineWeb: True).
        include_comments: trafilatura's ``include_comments`` (FineWeb: False).
        include_tables: trafilatura's ``include_tables``.
        deduplicate: trafilatura's cross-document paragraph cache (FineWeb: True;
            here False, see module docstring).
        trafilatura_fast: trafilatura's ``fast`` (skip its readability/jusText
            comparison). ``None``: True in ``hybrid`` (resiliparse is the
            fallback there), False in ``trafilatura``.
        main_content: resiliparse's main-content heuristics (False: all visible text).
        resiliparse_comments: resiliparse's ``comments`` (keep comment sections).
        post_meta: resiliparse's ``post_meta`` (keep article bylines/dates).
        alt_texts: resiliparse's ``alt_texts`` (keep image alt text).
        rescue_ratio: ``hybrid`` uses resiliparse's text when trafilatura's is
            shorter than this fraction of it (characters); 0 rescues only empty pages.
        container_share: ``hybrid`` narrows trafilatura to a main container only when
            the container's text is at least this fraction of resiliparse's whole-page text.
        max_trafilatura_chars: ``hybrid`` lets resiliparse answer alone when the HTML
            trafilatura would read (the container's, or the page's) is longer (characters).
        korean_share: ``hybrid`` gives resiliparse's text, without trafilatura, when at
            least this share of its letters is Hangul; ``None``: never.
    """

    def __init__(
        self,
        engine: str = DEFAULT_ENGINE,
        *,
        favor_precision: bool = True,
        include_comments: bool = False,
        include_tables: bool = True,
        deduplicate: bool = False,
        trafilatura_fast: bool | None = None,
        main_content: bool = True,
        resiliparse_comments: bool = False,
        post_meta: bool = False,
        alt_texts: bool = False,
        rescue_ratio: float = 0.2,
        container_share: float = 0.25,
        max_trafilatura_chars: int = 200_000,
        korean_share: float | None = 0.3,
    ):
        if engine not in ENGINES:
            raise ValueError(f"unknown extraction engine {engine!r}; expected one of {', '.join(ENGINES)}")
        if not 0 <= rescue_ratio <= 1:
            raise ValueError(f"rescue_ratio must be within [0, 1], got {rescue_ratio}")
        if not 0 <= container_share <= 1:
            raise ValueError(f"container_share must be within [0, 1], got {container_share}")
        if korean_share is not None and not 0 <= korean_share <= 1:
            raise ValueError(f"korean_share must be within [0, 1] or None, got {korean_share}")
        if max_trafilatura_chars < 0:
            raise ValueError(f"max_trafilatura_chars must be >= 0, got {max_trafilatura_chars}")
        self.engine = engine
        self.favor_precision = favor_precision
        self.include_comments = include_comments
        self.include_tables = include_tables
        self.deduplicate = deduplicate
        self.trafilatura_fast = (engine == "hybrid") if trafilatura_fast is None else trafilatura_fast
        self.main_content = main_content
        self.resiliparse_comments = resiliparse_comments
        self.post_meta = post_meta
        self.alt_texts = alt_texts
        self.rescue_ratio = rescue_ratio
        self.container_share = container_share
        self.max_trafilatura_chars = max_trafilatura_chars
        self.korean_share = korean_share

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> "HtmlExtractor":
        """From an ``[extract]`` table: ``engine = "..."`` and any constructor option."""
        section = dict(section)
        return cls(section.pop("engine", DEFAULT_ENGINE), **section)

    def describe(self) -> dict[str, Any]:
        """Settings recorded in the run summary."""
        return dict(vars(self))

    # ------------------------------------------------------------------ one page

    def extract(self, html: str) -> HtmlPage:
        """Main text, title, opt-out signal and declared charset of one decoded page.

        ``text`` lines are stripped, without blank lines; ``""`` when nothing was found.
        """
        if self.engine == "builtin":
            return html_to_text(html)
        from resiliparse.parse.html import HTMLTree

        try:
            tree = HTMLTree.parse(html)
        except Exception:  # lexbor refuses very little; a page it refuses has no text for us either
            return HtmlPage(text="", title=None, noai=False, declared_charset=None, engine=self.engine)
        title, noai, charset = _page_signals(tree)
        if self.engine == "resiliparse":
            text, used = self._resiliparse(tree), "resiliparse"
        elif self.engine == "trafilatura":
            text, used = self._trafilatura(html), "trafilatura"
        else:
            text, used = self._hybrid(html, tree)
        return HtmlPage(text=text, title=title, noai=noai, declared_charset=charset, engine=used)

    def _hybrid(self, html: str, tree) -> tuple[str, str]:
        """``(text, part that produced it)``: trafilatura inside the main container, else resiliparse."""
        from resiliparse.parse.html import HTMLTree

        whole = self._resiliparse(tree)
        if self.korean_share is not None and hangul_ratio(whole[:_LANGUAGE_SAMPLE]) >= self.korean_share:
            return whole, "resiliparse"
        source, source_tree = html, tree
        needed = self.container_share * len(whole)
        for tier in CONTAINER_SELECTORS:
            node = tree.document.query_selector(tier)
            if node is None:
                continue
            inside = node.text
            if len(inside) >= needed and _squashed_len(inside) >= needed:
                source, source_tree = f"<html><body>{node.html}</body></html>", None
                break
        if len(source) <= self.max_trafilatura_chars:
            text = self._trafilatura(source)
            if text and len(text) >= self.rescue_ratio * len(whole):
                return text, "trafilatura"
        if source_tree is None:
            source_tree = HTMLTree.parse(source)
        cut = self._resiliparse(source_tree, skip=BOILERPLATE_SELECTORS)
        return (cut if len(cut) >= self.container_share * len(whole) else whole), "resiliparse"

    def _trafilatura(self, html: str) -> str:
        import trafilatura

        try:
            out = trafilatura.extract(
                html,
                fast=self.trafilatura_fast,
                favor_precision=self.favor_precision,
                include_comments=self.include_comments,
                include_tables=self.include_tables,
                deduplicate=self.deduplicate,
            )
        except Exception:  # a library bug on one odd page must not end the task
            return ""
        return _tidy(out or "")

    def _resiliparse(self, tree, skip: tuple[str, ...] = ()) -> str:
        from resiliparse.extract.html2text import extract_plain_text

        try:
            out = extract_plain_text(
                tree,
                main_content=self.main_content,
                comments=self.resiliparse_comments,
                post_meta=self.post_meta,
                alt_texts=self.alt_texts,
                skip_elements=list(skip) or None,
            )
        except Exception:
            return ""
        return _tidy(out)


_LANGUAGE_SAMPLE = 2000  # characters of resiliparse's text that decide whether a page is Korean


def _squashed_len(text: str) -> int:
    """Characters of ``text`` with whitespace runs counted as one space."""
    return len(" ".join(text.split()))


def _tidy(text: str) -> str:
    """Lines with runs of whitespace collapsed, stripped, blank lines dropped (as ``builtin``)."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# Only the <meta> elements that carry a signal: wrapping every <meta> node as a Python object
# costs about 0.1 ms each (pages have 20 or more), a selector query a fraction of that.
_SIGNAL_METAS = ", ".join(
    [f'meta[name="{n}" i]' for n in ("robots", "tdm-reservation", "tdm-policy")]
    + ["meta[charset]", 'meta[http-equiv="content-type" i]']
)


def _page_signals(tree) -> tuple[str | None, bool, str | None]:
    """``(title, noai, declared_charset)`` from a resiliparse tree; the first charset declaration found wins."""
    title = " ".join((tree.title or "").split()) or None
    noai = False
    charset = None
    for meta in tree.document.query_selector_all(_SIGNAL_METAS):
        name = meta.getattr("name") or ""
        content = meta.getattr("content") or ""
        if meta_opts_out(name, content):
            noai = True
        if charset is None:
            declared = (meta.getattr("charset") or "").strip()
            if declared:
                charset = declared
            elif (meta.getattr("http-equiv") or "").strip().lower() == "content-type" and "charset=" in content.lower():
                charset = content.lower().split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return title, noai, charset

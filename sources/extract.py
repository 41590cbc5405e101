"""Main-content extraction: decoded HTML in, the page's main text and signals out.

Engines (``HtmlExtractor(engine=...)``; figures from ``bench/extract.py``, docs/extraction.md):

- ``resiliparse`` (default): ``extract_plain_text(main_content=True)`` (DCLM's
  extractor) with comment sections, post meta data and alt texts off. About a
  tenth of trafilatura's CPU time per page; on trafilatura's 884-page evaluation
  set F1 0.866 against trafilatura's 0.923 (it keeps more boilerplate lines,
  P 0.80), and on the Korean test pages, followed by the quality step's
  ``BoilerplateLineRemover``, every page right (trafilatura: 9 of 14).
- ``trafilatura``: ``trafilatura.extract`` with FineWeb's settings
  (``favor_precision``, no comments), its readability/jusText fallbacks on;
  ``deduplicate`` off by default (see below).
- ``hybrid``: trafilatura with ``fast=True`` for precision, and resiliparse's
  text instead when trafilatura finds nothing or less than ``rescue_ratio`` of
  what resiliparse finds. F1 0.925 on the evaluation set (trafilatura: 0.923),
  for about two thirds of trafilatura's CPU time; it inherits trafilatura's
  misses on Korean pages (text in a ``<br>``-separated ``<article>``, recipe
  steps in ``<div>``, ``<h4>`` paragraphs) and its dumps of layout tables.
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

from kocorpus.sources.html_text import HtmlPage, html_to_text, meta_opts_out

ENGINES = ("resiliparse", "trafilatura", "hybrid", "builtin")
DEFAULT_ENGINE = "resiliparse"


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
    ):
        if engine not in ENGINES:
            raise ValueError(f"unknown extraction engine {engine!r}; expected one of {', '.join(ENGINES)}")
        if not 0 <= rescue_ratio <= 1:
            raise ValueError(f"rescue_ratio must be within [0, 1], got {rescue_ratio}")
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
            text, used = self._trafilatura(html), "trafilatura"
            rescue = self._resiliparse(tree)
            if len(text) < self.rescue_ratio * len(rescue) or (not text and rescue):
                text, used = rescue, "resiliparse"
        return HtmlPage(text=text, title=title, noai=noai, declared_charset=charset, engine=used)

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

    def _resiliparse(self, tree) -> str:
        from resiliparse.extract.html2text import extract_plain_text

        try:
            out = extract_plain_text(
                tree,
                main_content=self.main_content,
                comments=self.resiliparse_comments,
                post_meta=self.post_meta,
                alt_texts=self.alt_texts,
            )
        except Exception:
            return ""
        return _tidy(out)


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

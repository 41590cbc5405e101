"""The ``builtin`` extraction engine: HTML to plain text, plus the page's opt-out signals.

A small, dependency-free extractor (stdlib ``html.parser``): drops script,
style, nav-like containers and comments, turns block elements into line
breaks, and reads ``<meta name="robots|tdm-reservation" ...>`` so an
auditor can see that a page reserved its text-and-data-mining rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "button", "select", "form"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "nav", "aside", "main", "hr", "title",
}  # fmt: skip


@dataclass
class HtmlPage:
    text: str
    title: str | None
    noai: bool  # robots/meta said noai / noimageai / tdm-reservation=1
    declared_charset: str | None
    engine: str | None = None  # which engine produced ``text`` (the hybrid names the part that won)


def meta_opts_out(name: str, content: str) -> bool:
    """Whether ``<meta name=NAME content=CONTENT>`` reserves text-and-data-mining rights.

    True for ``robots`` (or ``tdm-reservation``/``tdm-policy``) naming ``noai`` or
    ``noimageai``, and for ``tdm-reservation`` = ``1`` (W3C TDMRep). Case-insensitive.
    """
    name, content = name.strip().lower(), content.strip().lower()
    if name not in ("robots", "tdm-reservation", "tdm-policy"):
        return False
    return "noai" in content or "noimageai" in content or (name == "tdm-reservation" and content == "1")


class _Extractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.title: list[str] = []
        self.in_title = False
        self.noai = False
        self.charset: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = a.get("name", "").lower()
            content = a.get("content", "").lower()
            if meta_opts_out(name, content):
                self.noai = True
            if a.get("charset"):
                self.charset = a["charset"]
            elif a.get("http-equiv", "").lower() == "content-type" and "charset=" in content:
                self.charset = content.split("charset=", 1)[1].split(";")[0].strip()
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> HtmlPage:
    """Extract visible text; lines are stripped and empty lines collapsed."""
    p = _Extractor()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    title = " ".join("".join(p.title).split()) or None
    return HtmlPage(text=text, title=title, noai=p.noai, declared_charset=p.charset, engine="builtin")


def sniff_charset(head: bytes) -> str | None:
    """Charset declared in the first bytes of an HTML document, if any."""
    low = head[:4096].decode("ascii", "ignore").lower()
    for marker in ("charset=", 'charset="', "charset='"):
        i = low.find(marker)
        if i >= 0:
            rest = low[i + len(marker) :].lstrip("\"' ")
            name = ""
            for ch in rest:
                if ch.isalnum() or ch in "-_":
                    name += ch
                else:
                    break
            return name or None
    return None

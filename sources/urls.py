"""URL blocklists: the first filter of a crawl source, before any page is extracted.

Two lists decide, after an allow-list that overrides both:

- ``korean``: ``sources/data/korean_url_blocklist.txt``, gambling, adult-service and spam
  sites in Hangul and romanised (카지노, 바카라, 먹튀, 출장안마, 룸살롱; casino, baccarat,
  totosite...). Hangul words are searched in the URL after percent-decoding (UTF-8, else
  CP949, the two encodings Korean URLs use) and IDNA-decoding of the host, so
  ``%EC%B9%B4%EC%A7%80%EB%85%B8`` is 카지노.
- ``ut1`` / ``datatrove``: datatrove's ``URLFilter`` with its integrated lists (FineWeb's URL
  filter): the UT1 blocklist domains and URLs (Université Toulouse 1, adult, gambling,
  phishing... merged into one list in datatrove's wheel, so the category is not known) and
  datatrove's banned words, sub-words and soft words. Nothing is downloaded: the lists are
  unpacked from ``datatrove/assets`` into the local Hugging Face assets cache on first use,
  and the public-suffix list is tldextract's bundled snapshot (no HTTP, no cache writes).

Every rejected URL gets reason ``url_blocklist`` and a value naming the list and what matched:
``korean:domain:<domain>``, ``korean:word:<match>``, ``korean:token:<token>``,
``korean:soft:<token>+<token>``, ``ut1:domain:<domain>``, ``ut1:url:<url>``,
``datatrove:word:<word>``, ``datatrove:soft:<word>+<word>``, ``datatrove:subword:<subword>``.
A document without a URL is kept (licensed sources have none).

Loading the UT1 list takes a few seconds and about 1 GB of memory (4.5 million domains); it
happens once per Python process (:func:`cached_model`), on the first batch, never per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable
from urllib.parse import unquote_plus, urlsplit

import pyarrow as pa
import regex

from kocorpus.filters.base import DocumentStep, Reject, StepResult, cached_model
from kocorpus.filters.pattern_lists import parse_pattern_sections

REASON = "url_blocklist"
_LETTERS = regex.compile(r"[a-z]+")
_MAX_VALUE_CHARS = 200


def _offline_tld_extractor():
    """tldextract on its bundled public-suffix snapshot: no HTTP request, no cache directory."""
    from tldextract import TLDExtract

    return TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def _load_datatrove_filter():
    """datatrove's URLFilter with its integrated lists loaded, made to work offline."""
    from datatrove.pipeline.filters.url_filter import URLFilter

    f = URLFilter()
    f.tldextractor = _offline_tld_extractor()
    f.download_data()  # unpacks the wheel's tarball; the name is datatrove's, nothing is fetched
    return f


def decoded_url(url: str) -> str:
    """``url`` percent-decoded (UTF-8, else CP949, else with replacement) and host IDNA-decoded, lowercased."""
    try:
        text = unquote_plus(url, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        try:
            text = unquote_plus(url, encoding="cp949", errors="strict")
        except UnicodeDecodeError:
            text = unquote_plus(url, encoding="utf-8", errors="replace")
    host = _host(url)
    if host and "xn--" in host:
        text = text.replace(host, _idna_decode(host))
    return text.lower()


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _idna_decode(host: str) -> str:
    labels = []
    for label in host.split("."):
        try:
            labels.append(label.encode("ascii").decode("idna") if label.startswith("xn--") else label)
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)


def _domain_suffixes(host: str) -> list[str]:
    """``a.b.example.com`` -> ``[a.b.example.com, b.example.com, example.com, com]``."""
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


@dataclass(frozen=True)
class KoreanUrlList:
    """The parsed Korean list (see the data file's header for the sections)."""

    domains: frozenset[str]
    words: regex.Pattern | None
    tokens: frozenset[str]
    soft: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> "KoreanUrlList":
        sections = parse_pattern_sections(text)
        words = sections.get("word", [])
        return cls(
            domains=frozenset(d.lower() for d in sections.get("domain", [])),
            words=regex.compile("|".join(f"(?:{w})" for w in words)) if words else None,
            tokens=frozenset(t.lower() for t in sections.get("token", [])),
            soft=frozenset(t.lower() for t in sections.get("soft", [])),
        )

    @classmethod
    def bundled(cls) -> "KoreanUrlList":
        text = resources.files("kocorpus.sources").joinpath("data", "korean_url_blocklist.txt").read_text("utf-8")
        return cls.parse(text)


class UrlBlocklistFilter(DocumentStep):
    """Reject documents whose URL is on a blocklist (see module docstring).

    Args:
        korean: use the bundled Korean list.
        ut1: use datatrove's URLFilter with its integrated UT1 and word lists.
        allow_domains: domains (with their subdomains) never rejected, whatever the lists say.
        extra_domains: more blocked domains (with their subdomains), reported as ``korean:domain:``.
        soft_token_threshold: Korean ``[soft]`` tokens needed in one URL to reject it.
        korean_list_text: the Korean list's content instead of the bundled file.
        source_kinds: the source kinds judged (``crawl`` by default: licensed archives
            are not filtered by URL); documents of other kinds pass.
    """

    stage = "url"

    def __init__(
        self,
        korean: bool = True,
        ut1: bool = True,
        allow_domains: Iterable[str] = (),
        extra_domains: Iterable[str] = (),
        soft_token_threshold: int = 2,
        korean_list_text: str | None = None,
        source_kinds: Iterable[str] = ("crawl",),
    ):
        if soft_token_threshold < 1:
            raise ValueError(f"soft_token_threshold must be at least 1, got {soft_token_threshold}")
        self.korean = korean
        self.ut1 = ut1
        self.allow_domains = sorted({d.strip().lower().lstrip(".") for d in allow_domains if d.strip()})
        self.extra_domains = sorted({d.strip().lower().lstrip(".") for d in extra_domains if d.strip()})
        self.soft_token_threshold = soft_token_threshold
        self.korean_list_text = korean_list_text
        self.source_kinds = sorted(set(source_kinds))
        self._allow = frozenset(self.allow_domains)
        self._list = (KoreanUrlList.parse(korean_list_text) if korean_list_text is not None else KoreanUrlList.bundled()) if korean else None
        self._blocked_domains = frozenset(self.extra_domains) | (self._list.domains if self._list else frozenset())

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> "UrlBlocklistFilter":
        """From ``[url]``: ``korean``, ``ut1``, ``allow_domains``, ``extra_domains``, ``soft_token_threshold``, ``source_kinds``."""
        return cls(**section)

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        d.pop("korean_list_text", None)
        return d

    # ------------------------------------------------------------------ one URL

    def check(self, url: str | None) -> Reject | None:
        """The verdict for one URL: ``None`` keeps it."""
        if not url:
            return None
        host = _host(url)
        suffixes = _domain_suffixes(_idna_decode(host)) + _domain_suffixes(host) if host else []
        if self._allow and any(s in self._allow for s in suffixes):
            return None
        verdict = self._korean(url, suffixes)
        if verdict is None and self.ut1:
            verdict = self._datatrove(url)
        return verdict

    def _korean(self, url: str, suffixes: list[str]) -> Reject | None:
        for s in suffixes:
            if s in self._blocked_domains:
                return Reject(REASON, f"korean:domain:{s}")
        if self._list is None:
            return None
        text = decoded_url(url)
        if self._list.words is not None:
            m = self._list.words.search(text)
            if m:
                return Reject(REASON, f"korean:word:{m.group(0)}")
        tokens = _LETTERS.findall(text)
        for t in tokens:
            if t in self._list.tokens:
                return Reject(REASON, f"korean:token:{t}")
        soft = sorted({t for t in tokens if t in self._list.soft})
        if len(soft) >= self.soft_token_threshold:
            return Reject(REASON, "korean:soft:" + "+".join(soft))
        return None

    def _datatrove(self, url: str) -> Reject | None:
        from datatrove.data import Document
        from datatrove.pipeline.filters.url_filter import normalize, normalizer

        f = cached_model("datatrove-url-filter", _load_datatrove_filter)
        result = f.filter(Document(text="", id="", metadata={"url": url}))
        if result is True:
            return None
        kind = result[1] if isinstance(result, tuple) else "blocked"
        info = f.tldextractor(url)
        if kind == "domain":
            value = f"ut1:domain:{getattr(info, 'top_domain_under_public_suffix', None) or info.registered_domain}"
        elif kind == "subdomain":
            value = f"ut1:domain:{info.fqdn}"
        elif kind == "url":
            value = f"ut1:url:{url}"
        else:
            words = set(normalizer.split(url))
            if kind == "hard_blacklisted":
                value = "datatrove:word:" + "+".join(sorted(words & f.banned_words))
            elif kind == "soft_blacklisted":
                value = "datatrove:soft:" + "+".join(sorted(words & f.soft_banned_words))
            elif kind == "blacklisted_subword":
                norm = normalize(url)
                end, _ = next(f.banned_subwords_automaton.iter(norm))
                hit = next((w for w in f.banned_subwords if w and norm[: end + 1].endswith(w)), "?")
                value = f"datatrove:subword:{hit}"
            else:
                value = f"datatrove:{kind}"
        return Reject(REASON, value[:_MAX_VALUE_CHARS])

    # ------------------------------------------------------------------ a batch

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        """Verdicts for the ``url`` column; rows and columns are returned unchanged."""
        if "url" not in batch.schema.names:
            return StepResult(batch, [None] * batch.num_rows)
        urls = batch.column("url").to_pylist()
        kinds = batch.column("source_kind").to_pylist() if "source_kind" in batch.schema.names else [None] * len(urls)
        judged = set(self.source_kinds)
        return StepResult(batch, [self.check(u) if k in judged or k is None else None for u, k in zip(urls, kinds)])

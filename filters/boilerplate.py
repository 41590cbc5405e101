"""Line-level removal of portal, news-site and blog boilerplate, before any document decision.

Patterns live in ``filters/data/boilerplate_lines.txt`` in three sections:

- ``[phrase]``: a short line containing one of these is a footer or promo
  line (copyright notices, "무단 전재 및 재배포 금지", reporter e-mail bylines,
  "▶ ... 구독하기").
- ``[strong]``: interface words that are never a sentence on their own
  (공유하기, 스크랩, 글자크기, 페이스북...).
- ``[weak]``: interface words that can be a whole sentence in user text
  (좋아요, 추천, 댓글...).

A line is removed when it is at most ``max_line_chars`` characters (stripped)
and either contains a phrase, is a menu or breadcrumb (three or more short
letter-only items between ``|``, ``>``, ``›``, ``»`` or ``·``: "홈 | 뉴스 | 스포츠"),
or consists only of interface words, counters (``3``, ``1,234``, ``12개``) and
punctuation while holding a strong word or a weak word with a counter
(``댓글 3``, ``조회수 1,234``). So the review "좋아요" stays, and
"좋아요 12 · 댓글 3 · 공유하기" goes.

Invariant: kept lines are returned unchanged and in order; only whole lines
are removed (blank-line runs left behind are collapsed to one blank line).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from kocorpus.filters.pattern_lists import alternation, parse_pattern_sections, read_bundled_patterns

_SEP = r"[\s\p{P}\p{S}]"
_NUM = r"\d[\d,.]*(?:만|천|[Kk])?(?:개|건|회|명)?"
# A menu or breadcrumb: three or more short letter-only items between | > › » · separators.
_NAV = regex.compile(r"\s*[\p{L}]{1,8}(?:\s*[|>›»·]\s*[\p{L}]{1,8}){2,}\s*")
_BLANK_RUN = regex.compile(r"\n{3,}")


@dataclass(frozen=True)
class BoilerplateResult:
    text: str  # the text without the removed lines
    lines_removed: int
    chars_removed: int  # characters of the removed lines, newlines excluded


class BoilerplateLineRemover:
    """Remove boilerplate lines (see module docstring).

    Args:
        max_line_chars: longest line (stripped, in characters) that may be removed.
        patterns_text: the pattern file's content; default the bundled
            ``data/boilerplate_lines.txt``.
    """

    def __init__(self, max_line_chars: int = 60, patterns_text: str | None = None):
        if patterns_text is None:
            sections = read_bundled_patterns("boilerplate_lines.txt")
        else:
            sections = parse_pattern_sections(patterns_text)
        self.max_line_chars = max_line_chars
        phrase, strong, weak = (sections.get(k, []) for k in ("phrase", "strong", "weak"))
        self._phrase = regex.compile(alternation(phrase))
        strong_alt, weak_alt = alternation(strong), alternation(weak)
        self._ui_line = regex.compile(rf"(?:{_SEP}|{_NUM}|{strong_alt}|{weak_alt})+")
        self._strong = regex.compile(strong_alt)
        self._weak_counter = regex.compile(rf"{weak_alt}\s*[:：]?\s*[(\[]?\s*\d")

    def is_boilerplate(self, line: str) -> bool:
        """Whether one line (without its newline) is boilerplate."""
        s = line.strip()
        if not s or len(s) > self.max_line_chars:
            return False
        if self._phrase.search(s) or _NAV.fullmatch(s):
            return True
        if self._ui_line.fullmatch(s):
            return bool(self._strong.search(s) or self._weak_counter.search(s))
        return False

    def clean(self, text: str) -> BoilerplateResult:
        """``text`` without its boilerplate lines, and how much was removed."""
        lines = text.split("\n")
        kept = []
        removed = 0
        removed_chars = 0
        for line in lines:
            if self.is_boilerplate(line):
                removed += 1
                removed_chars += len(line)
            else:
                kept.append(line)
        if not removed:
            return BoilerplateResult(text, 0, 0)
        out = _BLANK_RUN.sub("\n\n", "\n".join(kept)).strip("\n")
        return BoilerplateResult(out, removed, removed_chars)

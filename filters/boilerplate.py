"""Line-level removal of portal, news-site and blog boilerplate, before any document decision.

Patterns live in ``filters/data/boilerplate_lines.txt`` in these sections:

- ``[phrase]``: a short line containing one of these is a footer or promo
  line (copyright notices, "무단 전재 및 재배포 금지", reporter e-mail bylines,
  "▶ ... 구독하기").
- ``[notice]``: formulaic copyright and reprint notices ("All rights reserved",
  "무단 전재 및 재배포, AI 학습 및 활용 금지"); a line containing one is removed
  up to ``max_notice_chars``, since portals put several notices on one long line.
- ``[heading]``: the heading of a link box ("관련기사", "많이 본 뉴스",
  "카테고리의 다른 글"), matched as the whole line. The heading goes, and so do
  the headline-list lines right after it: at most ``max_box_lines`` lines, each
  short and not ending like a sentence (no final ``.``, ``!``, ``?``); the first
  line that is not such an item ends the box and is judged on its own.
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
:meth:`BoilerplateLineRemover.is_boilerplate` judges one line alone; only
:meth:`BoilerplateLineRemover.clean` sees box headings' lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from kocorpus.filters.pattern_lists import alternation, parse_pattern_sections, read_bundled_patterns

_SEP = r"[\s\p{P}\p{S}]"
_NUM = r"\d[\d,.]*(?:만|천|[Kk])?(?:개|건|회|명)?"
# A menu or breadcrumb: three or more short letter-only items between | > › » · separators
# (a separator may also open or close the line: "| 정치 | 경제 | 사회").
_NAV = regex.compile(r"\s*(?:[|>›»·]\s*)?[\p{L}]{1,8}(?:\s*[|>›»·]\s*[\p{L}]{1,8}){2,}\s*(?:[|>›»·]\s*)?")
_BLANK_RUN = regex.compile(r"\n{3,}")
# A box heading may carry list marks or brackets around it: "[관련기사]", "■ 많이 본 뉴스".
_HEADING_MARKS = r"[\s\p{P}\p{S}]*"
# A line that ends like a sentence (prose, not a headline in a link list).
_SENTENCE_END = regex.compile(r"[.!?。…][\"'”’)\]]*\s*$")


@dataclass(frozen=True)
class BoilerplateResult:
    text: str  # the text without the removed lines
    lines_removed: int
    chars_removed: int  # characters of the removed lines, newlines excluded


class BoilerplateLineRemover:
    """Remove boilerplate lines (see module docstring).

    Args:
        max_line_chars: longest line (stripped, in characters) that may be removed.
        max_notice_chars: longest line holding a ``[notice]`` pattern that may be removed.
        max_box_lines: most headline-list lines removed after one box heading; 0 removes
            the heading line only.
        patterns_text: the pattern file's content; default the bundled
            ``data/boilerplate_lines.txt``.
    """

    def __init__(
        self,
        max_line_chars: int = 60,
        patterns_text: str | None = None,
        max_notice_chars: int = 90,
        max_box_lines: int = 12,
    ):
        if patterns_text is None:
            sections = read_bundled_patterns("boilerplate_lines.txt")
        else:
            sections = parse_pattern_sections(patterns_text)
        self.max_line_chars = max_line_chars
        self.max_notice_chars = max_notice_chars
        self.max_box_lines = max_box_lines
        phrase, strong, weak = (sections.get(k, []) for k in ("phrase", "strong", "weak"))
        self._notice = regex.compile(alternation(sections.get("notice", [])))
        self._heading = regex.compile(f"{_HEADING_MARKS}{alternation(sections.get('heading', []))}{_HEADING_MARKS}")
        self._phrase = regex.compile(alternation(phrase))
        strong_alt, weak_alt = alternation(strong), alternation(weak)
        self._ui_line = regex.compile(rf"(?:{_SEP}|{_NUM}|{strong_alt}|{weak_alt})+")
        self._strong = regex.compile(strong_alt)
        self._weak_counter = regex.compile(rf"{weak_alt}\s*[:：]?\s*[(\[]?\s*\d")

    def is_boilerplate(self, line: str) -> bool:
        """Whether one line (without its newline) is boilerplate."""
        s = line.strip()
        if not s or len(s) > self.max_notice_chars:
            return False
        if self._notice.search(s):
            return True
        if len(s) > self.max_line_chars:
            return False
        if self._phrase.search(s) or _NAV.fullmatch(s) or self._heading.fullmatch(s):
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
        box_left = 0  # headline-list lines that may still follow a box heading
        for line in lines:
            s = line.strip()
            short = bool(s) and len(s) <= self.max_line_chars
            heading = short and self._heading.fullmatch(s) is not None
            in_box = not heading and short and box_left > 0 and not _SENTENCE_END.search(s)
            box_left = self.max_box_lines if heading else box_left - 1 if in_box else 0
            if heading or in_box or self.is_boilerplate(line):
                removed += 1
                removed_chars += len(line)
            else:
                kept.append(line)
        if not removed:
            return BoilerplateResult(text, 0, 0)
        out = _BLANK_RUN.sub("\n\n", "\n".join(kept)).strip("\n")
        return BoilerplateResult(out, removed, removed_chars)

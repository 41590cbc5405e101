"""Gambling, adult-service and spam keyword density.

Keywords live in ``filters/data/spam_keywords.txt`` (one regex per line, by
category). A document is spam when keywords are dense, never on a single
mention: the rule needs at least ``min_hits`` matches *and* a keyword share
of the text above its threshold, so a news report about a casino or a comment
that mentions 토토 once is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from kocorpus.filters.korean_script import non_space_chars
from kocorpus.filters.pattern_lists import alternation, parse_pattern_sections, read_bundled_patterns


@dataclass(frozen=True)
class KeywordDensity:
    hits: int  # number of keyword matches
    ratio: float  # non-space characters inside matches / non-space characters of the text, in [0, 1]


class SpamKeywordDensity:
    """Measure keyword density.

    Args:
        patterns_text: the keyword file's content; default the bundled
            ``data/spam_keywords.txt`` (all categories).
    """

    def __init__(self, patterns_text: str | None = None):
        if patterns_text is None:
            sections = read_bundled_patterns("spam_keywords.txt")
        else:
            sections = parse_pattern_sections(patterns_text)
        self.categories = sorted(sections)
        self._pattern = regex.compile(alternation([p for ps in sections.values() for p in ps]))

    def measure(self, text: str) -> KeywordDensity:
        total = non_space_chars(text)
        if not total:
            return KeywordDensity(0, 0.0)
        hits = 0
        matched = 0
        for m in self._pattern.finditer(text):
            hits += 1
            matched += non_space_chars(m.group())
        return KeywordDensity(hits, matched / total)

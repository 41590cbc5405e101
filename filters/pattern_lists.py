"""Regular-expression lists: the bundled ones in ``filters/data/``, read by section, and the
alternations built from word lists (:func:`trie_alternation`, :func:`word_alternation`).

File format: UTF-8 text; ``# comment`` and blank lines are ignored; ``[name]``
starts a section; every other line is one regular expression (Python
``regex`` syntax) of the current section. A leading ``(?i)`` makes that one
pattern case-insensitive (it is scoped to the pattern, not the whole list).
"""

from __future__ import annotations

import re
from importlib import resources


def parse_pattern_sections(text: str) -> dict[str, list[str]]:
    """Patterns by section name, in file order."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and line[1:-1].isidentifier():
            current = sections.setdefault(line[1:-1], [])
            continue
        if current is None:
            raise ValueError(f"line {number}: pattern outside a [section]: {line!r}")
        if line.startswith("(?i)"):
            line = f"(?i:{line[4:]})"
        current.append(line)
    return sections


def read_bundled_patterns(filename: str) -> dict[str, list[str]]:
    """Sections of ``kocorpus/filters/data/<filename>``."""
    text = resources.files("kocorpus.filters").joinpath("data", filename).read_text("utf-8")
    return parse_pattern_sections(text)


def alternation(patterns: list[str]) -> str:
    """One non-capturing group that matches any of ``patterns``; never matches when empty."""
    if not patterns:
        return "(?!)"
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def trie_alternation(words) -> str:
    """A regex alternation of ``words`` as a prefix tree (이름|이메일 -> 이(?:름|메일)), longest first.

    Python's regex engine tries alternatives one by one; grouped by prefix, each position
    tries one branch per character, which is what makes a long list of labels cheap to scan.
    """
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items(), key=lambda kv: kv[0]) if c]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return emit(tree)


def word_alternation(words, ignore_case: bool = False) -> str:
    """A regex that finds any of the literal ``words`` (the longest one at the leftmost position),
    for searching texts where they are rare.

    It matches what ``"|".join(longest first)`` matches (with ``ignore_case``: ASCII letters in
    either case), written as one branch per first letter (both cases of an ASCII one), each
    followed by its words' rests as a prefix tree. Branches that all start with a literal let
    Python's engine skip to the next possible first letter and test one literal per branch; a
    plain alternation, above all a case-insensitive one, tries every word at every position
    (about 8x slower on Korean text without the words).
    """
    groups: dict[str, list[str]] = {}
    for w in sorted({w.lower() if ignore_case else w for w in words}):
        groups.setdefault(w[0], []).append(w[1:])
    if not groups:
        return "(?!)"
    branches = []
    for first, rests in groups.items():
        rest = trie_alternation(rests)
        rest = f"(?i:{rest})" if ignore_case and rest else rest
        for c in (first, first.upper()) if ignore_case and first.isascii() and first != first.upper() else (first,):
            branches.append(re.escape(c) + rest)
    return "(?:" + "|".join(branches) + ")"

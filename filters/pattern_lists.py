"""Bundled regular-expression lists in ``filters/data/``, read by section.

File format: UTF-8 text; ``# comment`` and blank lines are ignored; ``[name]``
starts a section; every other line is one regular expression (Python
``regex`` syntax) of the current section. A leading ``(?i)`` makes that one
pattern case-insensitive (it is scoped to the pattern, not the whole list).
"""

from __future__ import annotations

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

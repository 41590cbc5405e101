"""Character-level measures of Korean text: Hangul share, jamo noise, length. No Kiwi.

All measures work on the string as given (NFC text from the normalize step)
and cost one regex pass each.

- Hangul letters: precomposed syllables (U+AC00-U+D7A3), conjoining jamo
  (U+1100-U+11FF, U+A960-U+A97F, U+D7B0-U+D7FF), compatibility jamo
  (U+3131-U+318E) and half-width jamo (U+FFA0-U+FFDC).
- Letters: Unicode category L (what ``str.isalpha`` accepts).
- Jamo noise: stand-alone jamo, i.e. every Hangul letter that is not a
  precomposed syllable. In NFC text these are the ㅋㅋㅋ / ㅠㅠ / ㅇㅇ runs of
  chat and comments.
"""

from __future__ import annotations

import regex

_LETTER = regex.compile(r"\p{L}")
_HANGUL = regex.compile("[\uac00-\ud7a3\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u3131-\u318e\uffa0-\uffdc]")
_JAMO = regex.compile("[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u3131-\u318e\uffa0-\uffdc]")
_SPACE = regex.compile(r"\s")
_EOJEOL = regex.compile(r"\S+")
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")


def non_space_chars(text: str) -> int:
    """Number of characters that are not whitespace."""
    return len(text) - len(_SPACE.findall(text))


def eojeol_count(text: str) -> int:
    """Whitespace-separated tokens (eojeol) that contain at least one letter or digit."""
    return sum(1 for m in _EOJEOL.finditer(text) if _WORDLIKE.search(m.group()))


def hangul_ratio(text: str) -> float:
    """Hangul letters / all letters, in [0, 1]; 0.0 when the text has no letter."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0.0
    return len(_HANGUL.findall(text)) / letters


def jamo_noise_ratio(text: str) -> float:
    """Stand-alone jamo / non-whitespace characters, in [0, 1]; 0.0 for blank text."""
    n = non_space_chars(text)
    if not n:
        return 0.0
    return len(_JAMO.findall(text)) / n

"""Shingling for Korean near-duplicate detection: what a document's set of n-grams is.

Before shingling, text is normalised (:func:`normalize_for_shingling`):
lower-cased, every run of punctuation, symbols, separators, control
characters and whitespace becomes one space, and the ends are trimmed. No
Unicode decomposition is applied: NFD would split Hangul syllables into
jamo (the normalize stage already produced NFC).

Two kinds of shingles, both taken from the normalised text:

- ``"char"``: character n-grams, spaces included (``"가나 다"`` is one 4-gram);
- ``"word"``: eojeol n-grams, n consecutive space-separated words joined by one space.

A document with fewer than n units (characters or eojeols) has no shingle:
it is *too short to shingle* and passes near-dedup untouched.

Shingles are hashed as their UTF-8 bytes, exactly as
``datasketch.MinHash.update(shingle.encode("utf-8"))`` would.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

SHINGLE_KINDS = ("char", "word")

# RE2 class: punctuation, symbols, separators, other (control, format...), ASCII whitespace.
_NOISE = r"[\p{P}\p{S}\p{Z}\p{C}\s]+"


def normalize_for_shingling(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Lower-case, collapse punctuation/symbol/space runs to one space, trim. Nulls become ''."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.large_string())
    out = pc.utf8_lower(pc.fill_null(texts, ""))
    out = pc.replace_substring_regex(out, _NOISE, " ")
    return pc.utf8_trim(out, " ")


def shingles_of_normalized(text: str, kind: str = "char", n: int = 5) -> list[str]:
    """The n-grams of already-normalised ``text``, in order, duplicates kept."""
    if kind == "char":
        return [text[i : i + n] for i in range(len(text) - n + 1)]
    if kind == "word":
        words = text.split(" ") if text else []
        return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    raise ValueError(f"shingle kind must be one of {SHINGLE_KINDS}, got {kind!r}")


def shingles(text: str | None, kind: str = "char", n: int = 5) -> list[str]:
    """Reference (one document at a time): the shingles of ``text`` after normalisation."""
    norm = normalize_for_shingling(pa.array([text], type=pa.large_string()))[0].as_py()
    return shingles_of_normalized(norm, kind, n)

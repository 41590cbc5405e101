"""Shingling for Korean near-duplicate detection: what a document's set of n-grams is.

Before shingling, text is normalised (:func:`normalize_text`): every run of
punctuation, symbols, separators, control/format characters and whitespace
(Unicode categories P*, S*, Z*, C*, plus ``str.isspace``) becomes one space,
the ends are trimmed, and every other character is lower-cased by its
single-character lowercase mapping (``str.lower`` when it yields one
character). No Unicode decomposition is applied: NFD would split Hangul
syllables into jamo (the normalize stage already produced NFC). The tables
come from the interpreter's ``unicodedata`` (``UNICODE_VERSION``).

Two kinds of shingles, both taken from the normalised text:

- ``"char"``: character n-grams, spaces included (``"가나 다"`` is one 4-gram);
- ``"word"``: eojeol n-grams, n consecutive space-separated words joined by one space.

A document with fewer than n units (characters or eojeols) has no shingle:
it is *too short to shingle* and passes near-dedup untouched.

Shingles are hashed as their UTF-8 bytes, exactly as
``datasketch.MinHash.update(shingle.encode("utf-8"))`` would.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SHINGLE_KINDS = ("char", "word")
UNICODE_VERSION = unicodedata.unidata_version
_N_CODEPOINTS = 0x110000


@lru_cache(maxsize=1)
def unicode_tables() -> tuple[np.ndarray, np.ndarray]:
    """``(separator uint8[0x110000], lower int32[0x110000])`` used by the normalisation (built once, ~0.4 s)."""
    sep = np.zeros(_N_CODEPOINTS, dtype=np.uint8)
    lower = np.arange(_N_CODEPOINTS, dtype=np.int32)
    seps, lowers, targets = [], [], []
    category = unicodedata.category
    for cp in range(_N_CODEPOINTS):
        ch = chr(cp)
        if category(ch)[0] in "PSZC" or ch.isspace():
            seps.append(cp)
        else:
            lo = ch.lower()
            if lo != ch and len(lo) == 1:
                lowers.append(cp)
                targets.append(ord(lo))
    sep[seps] = 1
    lower[lowers] = targets
    sep.setflags(write=False)
    lower.setflags(write=False)
    return sep, lower


def normalize_text(text: str | None) -> str:
    """Reference normalisation of one text (see the module docstring); None becomes ''."""
    if not text:
        return ""
    sep, lower = unicode_tables()
    out: list[str] = []
    pending = False
    for ch in text:
        cp = ord(ch)
        if sep[cp]:
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            pending = False
        out.append(chr(lower[cp]))
    return "".join(out)


def normalize_for_shingling(texts: pa.Array | pa.ChunkedArray | list) -> pa.Array:
    """Normalised texts as a ``large_string`` array (compiled when numba is available)."""
    if isinstance(texts, list):
        texts = pa.array(texts, type=pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    from kocorpus.dedup.minhash import _numba_kernels

    kernels = _numba_kernels()
    if kernels is None:
        return pa.array([normalize_text(t) for t in texts.to_pylist()], type=pa.large_string())
    data, offsets = utf8_buffers(texts)
    out, out_offsets = normalized_buffers(kernels, data, offsets)
    return pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(out_offsets), pa.py_buffer(out))


def utf8_buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes uint8[], offsets int64[N+1]) of a string array; nulls read as ''."""
    arr = pc.fill_null(texts, "").cast(pa.large_string())
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return data, offsets


def normalized_buffers(kernels, data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sep, lower = unicode_tables()
    size = int(offsets[-1] - offsets[0]) if len(offsets) else 0
    out = np.empty(2 * size + 16, dtype=np.uint8)  # lower-casing grows a character by at most 1.5x
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    used = kernels.normalize_utf8(data, offsets, sep, lower, out, out_offsets)
    return out[:used], out_offsets


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
    return shingles_of_normalized(normalize_text(text), kind, n)

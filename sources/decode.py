"""Bytes to text: UTF-8 first, then CP949 for Korean legacy encodings.

Web pages and files declared ``euc-kr`` are usually CP949 (a superset that
covers all 11,172 Hangul syllables), so EUC-KR is always decoded as CP949.
Detection uses charset-normalizer only when UTF-8 fails. A payload that no
candidate decodes cleanly is an error, never silently replaced.
"""

from __future__ import annotations

import codecs

#: Encodings accepted from detection. Single-byte code pages are never guessed:
#: any byte string decodes as Latin-1, so a guess would hide corrupt input.
_DETECTABLE = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "gb18030", "big5", "shift_jis", "cp932", "euc_jp"}
_KOREAN_LEGACY = {"euc-kr", "euc_kr", "euckr", "cp949", "uhc", "ks_c_5601-1987", "ksc5601", "ms949", "johab"}


class DecodeError(ValueError):
    """The payload is not text in any supported encoding."""


def canonical_encoding(name: str | None) -> str | None:
    """Normalise a declared encoding name; Korean legacy names become ``cp949``."""
    if not name:
        return None
    n = name.strip().lower().replace(" ", "")
    if n in _KOREAN_LEGACY or n.replace("-", "_") in _KOREAN_LEGACY:
        return "cp949"
    try:
        return codecs.lookup(n).name
    except LookupError:
        return None


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``raw``; returns ``(text, encoding)``.

    Order: the declared encoding (if any and it decodes cleanly), UTF-8 (BOM
    stripped), CP949, then charset-normalizer's best guess. Raises
    :class:`DecodeError` when nothing decodes without errors.
    """
    tried: list[str] = []
    for enc in _candidates(declared):
        if enc in tried:
            continue
        tried.append(enc)
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    guess = _detect(raw)
    if guess in _DETECTABLE and guess not in tried:
        try:
            return raw.decode(guess), guess
        except (UnicodeDecodeError, LookupError):
            pass
    raise DecodeError(f"not valid text in {', '.join(tried)}")


def _candidates(declared: str | None) -> list[str]:
    enc = canonical_encoding(declared)
    out = [enc] if enc else []
    return out + ["utf-8", "cp949"]


def _detect(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 1 << 16]).best()
    if best is None:
        return None
    return canonical_encoding(best.encoding)

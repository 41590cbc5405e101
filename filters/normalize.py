"""Text normalization: mojibake repair, Unicode NFC, control characters, whitespace.

NFC only, never NFKC: NFKC maps compatibility jamo (ㅋ U+314B) to conjoining
jamo (U+110F), which breaks Korean text. Normalization is idempotent:
``normalize(normalize(x)) == normalize(x)``.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, Reject, StepResult, set_text
from kocorpus.filters.placeholders import SPECIAL_TOKENS

# C0/C1 controls except tab and newline; also the Unicode non-characters and
# zero-width/bidi controls that carry no text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff]")
_SPACES = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile("\n{3,}")
_MOJIBAKE_HINT = re.compile("[ÃÂâêëìíîïðñòóôõöøùúûüýþÿ][\x80-\xbf]")
# Source text that spells a special token ("<|eos|>", "<|tel|>") would encode as that
# token; its bars become fullwidth (U+FF5C) so it stays ordinary text.
_SPECIAL = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))


def normalize_text(text: str, fix_mojibake: bool = True, max_rounds: int = 4) -> str:
    """Normalize one document's text (see module docstring).

    Idempotent: the steps repeat until the text stops changing (a repair can expose another
    one once control characters are gone), at most ``max_rounds`` times.
    """
    for _ in range(max_rounds):
        done = _normalize_once(text, fix_mojibake)
        if done == text:
            break
        text = done
    return text


def _normalize_once(text: str, fix_mojibake: bool) -> str:
    if fix_mojibake and _MOJIBAKE_HINT.search(text):
        text = _repair_mojibake(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    text = _SPECIAL.sub(lambda m: m.group(0).replace("|", "\uff5c"), text)
    return text.strip()


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 bytes that were decoded as Latin-1/CP1252 (ftfy does the careful work)."""
    import ftfy

    return ftfy.fix_encoding(text)


def control_ratio(text: str) -> float:
    """Share of characters that are control characters (binary payloads score high)."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


class TextNormalizer(DocumentStep):
    """Normalize text and set ``text_sha256``; reject empty and binary-looking documents.

    Args:
        max_control_ratio: share of control characters above which the raw
            text is treated as a binary payload (reason ``binary_content``).
        fix_mojibake: repair UTF-8-read-as-Latin-1 text with ftfy.
    """

    stage = "normalize"

    def __init__(self, max_control_ratio: float | None = 0.05, fix_mojibake: bool = True):
        self.max_control_ratio = max_control_ratio
        self.fix_mojibake = fix_mojibake

    @classmethod
    def from_config(cls, section: dict) -> "TextNormalizer":
        return cls(**section)

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        texts = batch.column("text").to_pylist()
        out: list[str | None] = []
        verdicts: list[Reject | None] = []
        for t in texts:
            if t is None:
                out.append(None)
                verdicts.append(Reject("empty_text", "null"))
                continue
            if self.max_control_ratio is not None:
                ratio = control_ratio(t)
                if ratio > self.max_control_ratio:
                    out.append(t)
                    verdicts.append(Reject("binary_content", f"control_ratio={ratio:.3f}>{self.max_control_ratio}"))
                    continue
            n = normalize_text(t, self.fix_mojibake)
            out.append(n)
            verdicts.append(None if n else Reject("empty_text", "0 chars after normalization"))
        batch = set_text(batch, out)
        return StepResult(batch, verdicts)

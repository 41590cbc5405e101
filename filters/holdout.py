"""Evaluation-set decontamination: documents whose text is a held-out evaluation text are rejected.

The step compares ``text_sha256`` (the hash of the text as it now is) with a list
of hashes, so it goes right after ``normalize`` and the list holds the hashes of
the normalized evaluation texts (``kocorpus ablate`` writes such a list). Reason
``held_out``, value the matching hash's first 16 hex digits. Exact matches only:
near copies of an evaluation text are not caught here.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, Reject, StepResult


class HeldOutFilter(DocumentStep):
    """Reject documents whose ``text_sha256`` is in ``hashes_file`` (one hex sha256 per line; ``#`` comments)."""

    stage = "holdout"

    def __init__(self, hashes_file: str | None = None):
        self.hashes_file = hashes_file
        self._hashes: frozenset[str] = frozenset()
        if hashes_file:
            lines = Path(hashes_file).read_text(encoding="utf-8").splitlines()
            self._hashes = frozenset(h for h in (x.split("#", 1)[0].strip().lower() for x in lines) if h)

    @classmethod
    def from_config(cls, section: dict) -> "HeldOutFilter":
        return cls(**section)

    def describe(self) -> dict:
        return {"hashes_file": self.hashes_file, "held_out_texts": len(self._hashes)}

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        hashes = batch.column("text_sha256").to_pylist()
        return StepResult(batch, [Reject("held_out", h[:16]) if h in self._hashes else None for h in hashes])

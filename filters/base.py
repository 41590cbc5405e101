"""The document-step contract: plain Python, Arrow in, Arrow out, no Spark.

A :class:`DocumentStep` takes a record batch of documents (``DOCUMENT_SCHEMA``
columns) and returns a :class:`StepResult`: the same rows in the same order,
with columns it owns updated (text, lang, signals...), and a verdict per row.
A verdict is ``None`` (keep) or a :class:`Reject` with a reason code and the
value that decided it. Steps never drop rows themselves: the chain
(:func:`run_steps`) splits rejects off, so every document is accounted for.

Models are loaded lazily through :func:`cached_model`, once per Python
process (a Spark Python worker is reused across tasks), never per batch.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Reject:
    """Why a document was removed: a reason code and the measured value."""

    reason: str
    value: str | None = None


@dataclass
class StepResult:
    batch: pa.RecordBatch  # same number of rows, same order as the input
    verdicts: Sequence[Reject | None]  # one per row; None keeps the row


class DocumentStep(ABC):
    """One per-document transform or judgement (normalize, langid, quality, pii...).

    ``stage`` is the name recorded on the rejects this step produces.
    Subclasses keep thresholds as constructor arguments with defaults.
    """

    stage: str = "step"

    @abstractmethod
    def apply(self, batch: pa.RecordBatch) -> StepResult: ...

    def describe(self) -> dict[str, Any]:
        """Settings recorded in the run summary (thresholds, model paths)."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


_MODELS: dict[Hashable, Any] = {}
_MODELS_LOCK = threading.Lock()


def cached_model(key: Hashable, load: Callable[[], Any]) -> Any:
    """Return the process-wide instance for ``key``, calling ``load`` only the first time."""
    model = _MODELS.get(key)
    if model is None:
        with _MODELS_LOCK:
            model = _MODELS.get(key)
            if model is None:
                model = load()
                _MODELS[key] = model
    return model


def set_column(batch: pa.RecordBatch, name: str, values: pa.Array | list) -> pa.RecordBatch:
    """Replace (or append) column ``name``, keeping the field's declared type when present."""
    idx = batch.schema.get_field_index(name)
    if idx >= 0:
        field = batch.schema.field(idx)
        arr = values if isinstance(values, pa.Array) else pa.array(values, type=field.type)
        if arr.type != field.type:
            arr = arr.cast(field.type)
        return batch.set_column(idx, field, arr)
    arr = values if isinstance(values, pa.Array) else pa.array(values)
    return batch.append_column(name, arr)


def set_text(batch: pa.RecordBatch, texts: pa.Array | list) -> pa.RecordBatch:
    """Replace ``text`` and keep ``text_sha256`` the hash of the text as it now is."""
    from kocorpus.schemas import sha256_text

    batch = set_column(batch, "text", texts)
    values = texts.to_pylist() if isinstance(texts, pa.Array) else texts
    return set_column(batch, "text_sha256", [sha256_text(t) for t in values])


def run_steps(
    batch: pa.RecordBatch, steps: Sequence[DocumentStep]
) -> tuple[pa.RecordBatch, list[tuple[str, pa.RecordBatch, list[Reject]]]]:
    """Apply ``steps`` in order; rejected rows leave the chain at the step that rejected them.

    Returns the kept batch and, per step with rejects, ``(stage, rejected_rows, verdicts)``.
    """
    rejected: list[tuple[str, pa.RecordBatch, list[Reject]]] = []
    for step in steps:
        if batch.num_rows == 0:
            break
        result = step.apply(batch)
        out = result.batch
        if out.num_rows != batch.num_rows or len(result.verdicts) != batch.num_rows:
            raise RuntimeError(f"step {step.stage!r} changed the number of rows")
        keep = [v is None for v in result.verdicts]
        if not all(keep):
            mask = pa.array(keep, type=pa.bool_())
            drop_idx = [i for i, k in enumerate(keep) if not k]
            rejected.append(
                (step.stage, out.filter(pc.invert(mask)), [result.verdicts[i] for i in drop_idx])
            )
            out = out.filter(mask)
        batch = out
    return batch, rejected


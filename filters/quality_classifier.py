"""Optional model-based quality score: a fastText classifier, high-quality vs low-quality text.

Training data are the configured sources themselves (``[quality.classifier]``):
documents of ``high_quality`` sources are labelled ``__label__hq``, those of
``low_quality`` sources ``__label__lq``. Text is given to fastText as
whitespace tokens (eojeol) plus character 2-4-grams, which covers Korean
agglutination without a morphological analyser at scoring time.

The model's score for a document is the probability of ``__label__hq`` in
[0, 1]. A card (``<model>.json``) next to the model records the sources,
counts, settings and held-out accuracy. Nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from kocorpus.filters.base import cached_model

HQ, LQ = "__label__hq", "__label__lq"
_SPACE = re.compile(r"\s+")

#: fastText settings (``train_supervised`` keyword arguments). ``bucket`` bounds the model size.
TRAIN_DEFAULTS: dict[str, Any] = {
    "epoch": 10,
    "lr": 0.2,
    "dim": 32,
    "wordNgrams": 2,
    "minn": 2,
    "maxn": 4,
    "bucket": 100_000,
    "thread": 1,
    "seed": 1234,
}


def to_line(text: str, max_chars: int = 4000) -> str:
    """One fastText input line: the first ``max_chars`` characters, whitespace collapsed."""
    return _SPACE.sub(" ", text[:max_chars]).strip()


class QualityClassifier:
    """A trained model; :meth:`score` gives P(high quality) per text."""

    def __init__(self, model, path: str):
        self.model = model
        self.path = path

    @classmethod
    def load(cls, path: str) -> "QualityClassifier":
        """The process-wide instance for ``path`` (loaded once per Python worker)."""
        path = os.path.abspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"quality classifier not found: {path} (build it with kocorpus train-quality-classifier)")

        def _load():
            import fasttext

            fasttext.FastText.eprint = lambda *a, **k: None
            return cls(fasttext.load_model(path), path)

        return cached_model(("quality-classifier", path), _load)

    def score(self, texts: Sequence[str]) -> list[float]:
        labels, probs = self.model.predict([to_line(t) for t in texts], k=2)
        out = []
        for labs, ps in zip(labels, probs):
            d = dict(zip(labs, ps))
            out.append(float(min(1.0, max(0.0, d.get(HQ, 1.0 - d.get(LQ, 0.0))))))
        return out


def _train(train_file: str, out: str, opts: dict[str, Any]) -> None:
    import fasttext

    fasttext.FastText.eprint = lambda *a, **k: None
    fasttext.train_supervised(input=train_file, verbose=0, **opts).save_model(out)


def _train_in_fresh_process(train_file: str, out: str, opts: dict[str, Any]) -> None:
    """Train in a fresh interpreter: fastText training diverges (NaN) in a process that has
    loaded Kiwi, whatever the data, so it never shares a process with the pipeline's models."""
    import subprocess
    import sys

    code = "import json,sys; from kocorpus.filters.quality_classifier import _train; _train(*json.loads(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", code, json.dumps([train_file, out, opts])], capture_output=True, text=True)
    if proc.returncode != 0 or not os.path.exists(out):
        raise RuntimeError(f"fastText training failed (exit code {proc.returncode}): {proc.stderr.strip()[-2000:]}")


def train_quality_classifier(
    high_quality: Iterable[str],
    low_quality: Iterable[str],
    output_path: str,
    holdout: float = 0.1,
    seed: int = 1234,
    **fasttext_options: Any,
) -> dict[str, Any]:
    """Train on the two text sets, write the model and its card; return the card.

    ``holdout`` of each class (shuffled with ``seed``) is kept out of training
    and scored: the card's ``holdout`` gives accuracy and per-class recall.
    """
    import fasttext

    rng = random.Random(seed)
    data = [(HQ, to_line(t)) for t in high_quality] + [(LQ, to_line(t)) for t in low_quality]
    data = [(label, line) for label, line in data if line]
    if not any(lab == HQ for lab, _ in data) or not any(lab == LQ for lab, _ in data):
        raise ValueError("the quality classifier needs documents of both classes (high_quality and low_quality)")
    rng.shuffle(data)
    n_test = int(len(data) * holdout)
    test, train = data[:n_test], data[n_test:]
    opts = {**TRAIN_DEFAULTS, "seed": seed, **fasttext_options}
    out = Path(output_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        train_file = os.path.join(tmp, "train.txt")
        with open(train_file, "w", encoding="utf-8") as f:
            for label, line in train:
                f.write(f"{label} {line}\n")
        _train_in_fresh_process(train_file, str(out), opts)
    fasttext.FastText.eprint = lambda *a, **k: None
    model = fasttext.load_model(str(out))
    card: dict[str, Any] = {
        "model": str(out),
        "labels": {"high_quality": HQ, "low_quality": LQ},
        "train_docs": {"hq": sum(1 for lab, _ in train if lab == HQ), "lq": sum(1 for lab, _ in train if lab == LQ)},
        "fasttext": opts,
    }
    if test:
        clf = QualityClassifier(model, str(out))
        scores = clf.score([line for _, line in test])
        hits = {HQ: [0, 0], LQ: [0, 0]}
        for (label, _), s in zip(test, scores):
            predicted = HQ if s >= 0.5 else LQ
            hits[label][0] += predicted == label
            hits[label][1] += 1
        card["holdout"] = {
            "docs": len(test),
            "accuracy": sum(h[0] for h in hits.values()) / len(test),
            "recall_hq": hits[HQ][0] / hits[HQ][1] if hits[HQ][1] else None,
            "recall_lq": hits[LQ][0] / hits[LQ][1] if hits[LQ][1] else None,
        }
    Path(str(out) + ".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def train_from_config(cfg) -> str:
    """Train from ``[quality.classifier]``; return the model path.

    Keys: ``high_quality`` and ``low_quality`` (source names from ``[[sources]]``),
    ``output_path`` (default ``<run root>/models/quality.bin``), ``max_docs_per_class``
    (default 50000), ``holdout`` and any fastText option of :data:`TRAIN_DEFAULTS`.
    Documents are read in the driver with the ingest readers (quarantined records skipped).
    """
    from kocorpus.sources.extract import HtmlExtractor
    from kocorpus.sources.tasks import read_source

    section = dict(cfg.section("quality").get("classifier", {}))
    by_name = {s.name: s for s in cfg.sources}
    classes: dict[str, list[str]] = {}
    limit = int(section.pop("max_docs_per_class", 50_000))
    for key in ("high_quality", "low_quality"):
        names = section.pop(key, None)
        if not names:
            raise ValueError(f"[quality.classifier] {key}: list the source names to learn from")
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(f"[quality.classifier] {key}: unknown source(s) {unknown}; known: {sorted(by_name)}")
        texts: list[str] = []
        for name in names:
            for batch in read_source(by_name[name], cfg.run.max_doc_bytes, extractor=HtmlExtractor.from_config(cfg.section("extract"))):
                texts.extend(t for t in batch.column("text").to_pylist() if t)
                if len(texts) >= limit:
                    break
        classes[key] = texts[:limit]
    output = section.pop("output_path", None) or os.path.join(cfg.run.root, "models", "quality.bin")
    holdout = float(section.pop("holdout", 0.1))
    card = train_quality_classifier(
        classes["high_quality"], classes["low_quality"], output, holdout=holdout, seed=cfg.run.seed, **section
    )
    if "holdout" in card:
        h = card["holdout"]
        print(f"held-out accuracy {h['accuracy']:.3f} on {h['docs']} documents")
    return output

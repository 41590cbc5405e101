"""PII benchmark: precision/recall per type against Microsoft Presidio, and throughput per core.

Usage:  python bench/pii.py [--per-type 400] [--plain 500] [--docs 20000] [--no-presidio]

1. Builds the labelled evaluation set (bench/pii_eval.py) from ../shared/corpora.
2. Scores kocorpus's KoreanPiiRedactor and Presidio's Korean recognizers on it and
   prints one table each. A detection counts for recall when every letter and digit
   of the labelled value lies inside detections of the same type; a detection is
   a true positive when it overlaps a labelled value of its type. "any-type
   recall" counts a value as caught when it is covered by detections of any type
   (what matters for leaks: a card number redacted as an account still leaves).
3. Measures docs/s on one core for the redactor and for its pipeline neighbours
   (fastText language ID, quality filter when present) on the same Arrow batches.

Presidio runs without any download: its Korean recognizers are registered on a
``SlimSpacyNlpEngine`` with a blank pipeline (spaCy's rule tokenizer) whose
lemmas are the lower-cased tokens, so Presidio's own context enhancer (substring
mode, 5 tokens before) sees Korean words such as 여권번호는; tldextract uses its
bundled public-suffix snapshot instead of fetching the list.

Skips cleanly (exit 0) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from pii_eval import CORPORA, TYPES, build_eval_set, load_sentences  # noqa: E402

from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor  # noqa: E402
from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch  # noqa: E402

PRESIDIO_TYPES = {
    "KR_RRN": "rrn", "KR_FRN": "frn", "KR_BRN": "brn", "KR_DRIVER_LICENSE": "driver_license",
    "KR_PASSPORT": "passport", "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
}
PRESIDIO_THRESHOLDS = (0.0, 0.5)  # 0.0: AnalyzerEngine's default; 0.5: a common deployment setting


# ----------------------------------------------------------------------------- scoring


def score(docs, predictions) -> dict[str, dict[str, float]]:
    """Per-type gold/pred counts, recall, precision and any-type recall."""
    gold_n, hit, hit_any, pred_n, pred_tp = Counter(), Counter(), Counter(), Counter(), Counter()
    for doc, preds in zip(docs, predictions):
        for gs, ge, gt in doc.spans:
            need = [i for i in range(gs, ge) if doc.text[i].isalnum()]
            same = [p for p in preds if p[2] == gt]
            gold_n[gt] += 1
            hit[gt] += all(any(s <= i < e for s, e, _ in same) for i in need)
            hit_any[gt] += all(any(s <= i < e for s, e, _ in preds) for i in need)
        for ps, pe, pt in preds:
            pred_n[pt] += 1
            pred_tp[pt] += any(gt == pt and ps < ge and gs < pe for gs, ge, gt in doc.spans)
    out = {}
    for t in TYPES:
        r = hit[t] / gold_n[t] if gold_n[t] else float("nan")
        p = pred_tp[t] / pred_n[t] if pred_n[t] else float("nan")
        f = 2 * p * r / (p + r) if pred_n[t] and gold_n[t] and (p + r) else float("nan")
        out[t] = {"gold": gold_n[t], "pred": pred_n[t], "recall": r, "precision": p, "f1": f,
                  "any_recall": hit_any[t] / gold_n[t] if gold_n[t] else float("nan")}
    return out


def print_table(title: str, s: dict[str, dict[str, float]], only: set[str] | None = None) -> None:
    print(f"\n{title}")
    print(f"| type | labelled | detected | precision | recall | F1 | any-type recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for t in TYPES:
        if only is not None and t not in only:
            print(f"| {t} | {s[t]['gold']} | — | — | — | — | — |")
            continue
        r = s[t]
        print(f"| {t} | {r['gold']} | {r['pred']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['any_recall']:.3f} |")


# ----------------------------------------------------------------------------- Presidio


def presidio_analyzer():
    """Presidio's Korean recognizers on a download-free NLP engine, or None when not installed."""
    try:
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SlimSpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer, EmailRecognizer, IpRecognizer, KrBrnRecognizer, KrDriverLicenseRecognizer,
            KrFrnRecognizer, KrPassportRecognizer, KrRrnRecognizer, PhoneRecognizer,
        )
    except ImportError:
        return None
    import logging

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    # No fetch of the public-suffix list: the snapshot bundled with tldextract.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    if "lower_lemma" not in spacy.registry.factories:

        @spacy.Language.component("lower_lemma")
        def lower_lemma(doc):
            for tok in doc:
                tok.lemma_ = tok.lower_
            return doc

    engine = SlimSpacyNlpEngine(supported_languages=["ko"], generic_tokenizer="blank", auto_download=False)
    engine.load()  # spacy.blank("ko") needs mecab; Presidio falls back to spacy.blank("xx")
    engine.nlp["ko"].add_pipe("lower_lemma")
    registry = RecognizerRegistry(supported_languages=["ko"])
    for rec in (
        KrRrnRecognizer(), KrFrnRecognizer(), KrBrnRecognizer(), KrDriverLicenseRecognizer(), KrPassportRecognizer(),
        PhoneRecognizer(supported_language="ko", supported_regions=("KR",)),
        EmailRecognizer(supported_language="ko"), CreditCardRecognizer(supported_language="ko"),
        IpRecognizer(supported_language="ko"),
    ):
        registry.add_recognizer(rec)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["ko"])


# ----------------------------------------------------------------------------- throughput


def docs_per_second(step, batches, repeat: int = 1) -> float:
    n = sum(b.num_rows for b in batches)
    step.apply(batches[0])  # warm up (model load)
    t0 = time.perf_counter()
    for _ in range(repeat):
        for b in batches:
            step.apply(b)
    return n * repeat / (time.perf_counter() - t0)


def corpus_batches(name: str, limit: int, size: int = 1024) -> list[pa.RecordBatch]:
    texts = pq.read_table(CORPORA / name, columns=["text"]).column("text").to_pylist()[:limit]
    rows = [{"doc_id": str(i), "source": name, "text": t} for i, t in enumerate(texts)]
    return [rows_to_batch(rows[i : i + size], DOCUMENT_SCHEMA) for i in range(0, len(rows), size)]


def neighbours():
    steps = {}
    try:
        from kocorpus.filters.langid import FastTextLanguageId

        steps["langid (fastText lid.176)"] = FastTextLanguageId()
    except Exception as e:  # noqa: BLE001
        print(f"langid unavailable: {e}")
    try:
        from kocorpus.filters.quality import QualityFilter

        steps["quality (datatrove FineWeb-2)"] = QualityFilter.from_config({})
    except Exception as e:  # noqa: BLE001
        print(f"quality filter unavailable: {type(e).__name__}: {e}")
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-type", type=int, default=400)
    ap.add_argument("--plain", type=int, default=500)
    ap.add_argument("--docs", type=int, default=20000, help="documents per corpus for throughput")
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()

    if not CORPORA.exists():
        print(f"skip: {CORPORA} not found")
        return 0
    sentences = load_sentences()
    docs = build_eval_set(args.per_type, args.plain, sentences=sentences)
    print(f"evaluation set: {len(docs)} documents, {sum(len(d.spans) for d in docs)} labelled values, "
          f"{sum(len(d.negatives) for d in docs)} hard negatives, from {len(sentences)} real sentences")

    red = KoreanPiiRedactor(actions={t: "redact" for t in PII_TYPES})
    t0 = time.perf_counter()
    ours = [[(d.start, d.end, d.type) for d in red.detect(doc.text)] for doc in docs]
    ours_s = time.perf_counter() - t0
    s_ours = score(docs, ours)
    print_table("kocorpus KoreanPiiRedactor", s_ours)

    analyzer = None if args.no_presidio else presidio_analyzer()
    presidio_s = None
    if analyzer is None:
        print("\nPresidio: not installed (pip install -e '.[bench]'), skipped")
    else:
        t0 = time.perf_counter()
        raw = [analyzer.analyze(doc.text, language="ko", score_threshold=0.0) for doc in docs]
        presidio_s = time.perf_counter() - t0
        for th in PRESIDIO_THRESHOLDS:
            preds = [[(r.start, r.end, PRESIDIO_TYPES[r.entity_type]) for r in rs if r.score >= th and r.entity_type in PRESIDIO_TYPES] for rs in raw]
            s_p = score(docs, preds)
            print_table(f"Presidio 2.2.366 Korean recognizers, score >= {th}", s_p, only=set(PRESIDIO_TYPES.values()))
        print("\nkocorpus vs Presidio (F1, Presidio at its better threshold per type):")
        best = {}
        for th in PRESIDIO_THRESHOLDS:
            preds = [[(r.start, r.end, PRESIDIO_TYPES[r.entity_type]) for r in rs if r.score >= th and r.entity_type in PRESIDIO_TYPES] for rs in raw]
            for t, v in score(docs, preds).items():
                if t in PRESIDIO_TYPES.values() and (t not in best or v["f1"] > best[t][0]):
                    best[t] = (v["f1"], th)
        for t in TYPES:
            if t in best:
                ok = s_ours[t]["f1"] >= best[t][0]
                print(f"  {t:15s} kocorpus {s_ours[t]['f1']:.3f}  presidio {best[t][0]:.3f} (>= {best[t][1]})  {'ok' if ok else 'BELOW'}")

    print("\ntargets (recall >= 0.99, precision >= 0.95):")
    for t in ("rrn", "phone", "email", "card"):
        r, p = s_ours[t]["recall"], s_ours[t]["precision"]
        print(f"  {t:6s} recall {r:.3f} precision {p:.3f}  {'met' if r >= 0.99 and p >= 0.95 else 'MISSED'}")

    print("\nthroughput, one core (docs/s):")
    steps = neighbours()
    print("| input | kocorpus pii | " + " | ".join(steps) + " |")
    print("|---|---:|" + "---:|" * len(steps))
    eval_batches = [rows_to_batch([{"doc_id": str(i), "source": "eval", "text": d.text} for i, d in enumerate(docs[j : j + 1024], j)], DOCUMENT_SCHEMA) for j in range(0, len(docs), 1024)]
    inputs = [("PII eval set", eval_batches)]
    for name in ("news_comments.parquet", "longform_news_reviews.parquet", "ud_sentences.parquet"):
        if (CORPORA / name).exists():
            inputs.append((name.removesuffix(".parquet"), corpus_batches(name, args.docs)))
    for label, batches in inputs:
        row = [docs_per_second(red, batches)] + [docs_per_second(s, batches) for s in steps.values()]
        print(f"| {label} | " + " | ".join(f"{v:,.0f}" for v in row) + " |")
    print(f"\ndetect() on the eval set: kocorpus {len(docs) / ours_s:,.0f} docs/s", end="")
    if presidio_s:
        print(f", Presidio analyze() {len(docs) / presidio_s:,.0f} docs/s ({presidio_s / ours_s:.0f}x slower)")
    else:
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

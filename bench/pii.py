"""PII benchmark: precision/recall per type and per written form, on two evaluation sets, beside
Microsoft Presidio and beside the redactor as it was at an earlier commit; throughput per core.

Usage:  python bench/pii.py [--per-form 100] [--plain 500] [--docs 20000] [--baseline 7e74ef3] [--no-presidio]

1. Builds the regression set (bench/pii_eval.py: the redactor's own validators, gazetteer and
   labels) and the independent set (bench/pii_independent.py: written from public format
   descriptions, importing nothing from kocorpus.filters), both from ../shared/corpora.
2. Scores, on each set: kocorpus's KoreanPiiRedactor, the same redactor at ``--baseline``
   (its modules loaded from git into a temporary package), and Presidio's Korean recognizers.
   A labelled value counts for recall when every letter and digit of it lies inside detections
   of its type; a detection is a true positive when it overlaps a labelled value of its type.
   Per written form, precision is over the detections in the documents made for that form.
   A hard negative (or an address's region, or a public figure's name) is preserved when no
   detection of any type overlaps it.
3. Times the redactor and the baseline on the same Arrow batches (each set and three corpora),
   taking turns on each batch (best of 5 per batch), one core, and prints docs/s and the ratio;
   fastText language ID on the same batches for scale.

Presidio runs without any download: its Korean recognizers are registered on a
``SlimSpacyNlpEngine`` with a blank pipeline (spaCy's rule tokenizer) whose lemmas are the
lower-cased tokens, so Presidio's own context enhancer (substring mode, 5 tokens before) sees
Korean words such as 여권번호는; tldextract uses its bundled public-suffix snapshot.

Skips cleanly (exit 0) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pii_eval  # noqa: E402
import pii_independent  # noqa: E402

from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor  # noqa: E402
from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch  # noqa: E402

TYPES = pii_eval.TYPES
PRESIDIO_TYPES = {
    "KR_RRN": "rrn", "KR_FRN": "frn", "KR_BRN": "brn", "KR_DRIVER_LICENSE": "driver_license",
    "KR_PASSPORT": "passport", "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
}
PRESIDIO_THRESHOLD = 0.0  # AnalyzerEngine's default; at 0.5 it finds no phone or passport numbers
PII_MODULES = ("pii", "pii_patterns", "pii_validators", "placeholders")

# ----------------------------------------------------------------------------- the baseline redactor


def redactor_at(rev: str):
    """``KoreanPiiRedactor`` class of commit ``rev``: its PII modules from git, as a temporary package.

    Only the PII modules are taken from ``rev`` (kocorpus.filters.base, the step contract, is
    imported as it is now); the modules that existed at ``rev`` are read with ``git show``.
    """
    root = HERE.parent
    tmp = Path(tempfile.mkdtemp(prefix="pii_baseline_"))
    pkg = f"pii_at_{rev}"
    (tmp / pkg).mkdir()
    (tmp / pkg / "__init__.py").write_text("")
    listed = subprocess.run(["git", "-C", str(root), "ls-tree", "--name-only", rev, "filters/"], check=True, capture_output=True, text=True).stdout.split()
    modules = [Path(p).stem for p in listed if Path(p).stem.startswith("pii") or Path(p).stem == "placeholders"]
    pattern = re.compile(r"kocorpus\.filters(\.| import )(" + "|".join(modules) + r")\b")
    for name in modules:
        src = subprocess.run(["git", "-C", str(root), "show", f"{rev}:filters/{name}.py"], check=True, capture_output=True, text=True).stdout
        src = pattern.sub(lambda m: f"{pkg}{m.group(1)}{m.group(2)}", src)
        (tmp / pkg / f"{name}.py").write_text(src)
    sys.path.insert(0, str(tmp))
    return importlib.import_module(f"{pkg}.pii").KoreanPiiRedactor


# ----------------------------------------------------------------------------- scoring


def _covered(doc, gs, ge, preds) -> bool:
    return all(any(s <= i < e for s, e in preds) for i in range(gs, ge) if doc.text[i].isalnum())


def score(docs, predictions) -> dict:
    """Per type and per (type, form): labelled, detected, recall, precision; preservation per keep kind."""
    gold, hit, hit_any, pred, tp = Counter(), Counter(), Counter(), Counter(), Counter()
    fgold, fhit, fpred, ftp = Counter(), Counter(), Counter(), Counter()
    kept, kept_n = Counter(), Counter()
    for doc, preds in zip(docs, predictions):
        by_type = defaultdict(list)
        for s, e, t in preds:
            by_type[t].append((s, e))
        every = [(s, e) for s, e, _ in preds]
        for gs, ge, gt, gf in doc.spans:
            ok = _covered(doc, gs, ge, by_type[gt])
            gold[gt] += 1
            hit[gt] += ok
            hit_any[gt] += _covered(doc, gs, ge, every)
            fgold[(gt, gf)] += 1
            fhit[(gt, gf)] += ok
        for s, e, t in preds:
            good = any(gt == t and s < ge and gs < e for gs, ge, gt, _ in doc.spans)
            pred[t] += 1
            tp[t] += good
            if doc.form is not None:
                fpred[doc.form] += 1
                ftp[doc.form] += good
        for ks, ke, kind in doc.keep:
            kept_n[kind] += 1
            kept[kind] += not any(s < ke and ks < e for s, e, _ in preds)
    ratio = lambda a, b: a / b if b else float("nan")  # noqa: E731
    types = {t: {"gold": gold[t], "pred": pred[t], "recall": ratio(hit[t], gold[t]), "precision": ratio(tp[t], pred[t]),
                 "any_recall": ratio(hit_any[t], gold[t])} for t in TYPES}
    for v in types.values():
        p, r = v["precision"], v["recall"]
        v["f1"] = 2 * p * r / (p + r) if p == p and r == r and p + r else float("nan")
    forms = {k: {"gold": fgold[k], "recall": ratio(fhit[k], fgold[k]), "precision": ratio(ftp[k], fpred[k]), "pred": fpred[k]} for k in fgold}
    keep = {k: {"n": kept_n[k], "preserved": ratio(kept[k], kept_n[k])} for k in kept_n}
    total = sum(kept_n.values())
    return {"types": types, "forms": forms, "keep": keep, "keep_all": ratio(sum(kept.values()), total), "keep_n": total}


def fmt(x: float) -> str:
    return "—" if x != x else f"{x:.3f}"


def print_type_table(title: str, results: dict[str, dict], supports: dict[str, set[str]]) -> None:
    names = list(results)
    print(f"\n{title}")
    print("| type | labelled | " + " | ".join(f"{n} P | {n} R" for n in names) + " |")
    print("|---|---:|" + "---:|---:|" * len(names))
    for t in TYPES:
        row = [t, str(next(iter(results.values()))["types"][t]["gold"])]
        for n in names:
            v = results[n]["types"][t]
            row += [fmt(v["precision"]), fmt(v["recall"])] if t in supports[n] else ["—", "—"]
        print("| " + " | ".join(row) + " |")


def print_form_table(title: str, results: dict[str, dict], supports: dict[str, set[str]], forms: dict[str, tuple[str, ...]]) -> None:
    names = list(results)
    print(f"\n{title}")
    print("| type | form | labelled | " + " | ".join(f"{n} P | {n} R" for n in names) + " |")
    print("|---|---|---:|" + "---:|---:|" * len(names))
    for t in TYPES:
        for f in forms[t]:
            first = next(iter(results.values()))["forms"].get((t, f))
            if first is None:
                continue
            row = [t, f, str(first["gold"])]
            for n in names:
                v = results[n]["forms"].get((t, f), {})
                row += [fmt(v.get("precision", float("nan"))), fmt(v.get("recall", float("nan")))] if t in supports[n] else ["—", "—"]
            print("| " + " | ".join(row) + " |")


def print_keep_table(title: str, results: dict[str, dict]) -> None:
    names = list(results)
    first = next(iter(results.values()))
    print(f"\n{title}")
    print("| kind | n | " + " | ".join(f"{n} preserved" for n in names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for k in sorted(first["keep"]):
        print(f"| {k} | {first['keep'][k]['n']} | " + " | ".join(fmt(results[n]["keep"][k]["preserved"]) for n in names) + " |")
    print(f"| **all** | {first['keep_n']} | " + " | ".join(fmt(results[n]["keep_all"]) for n in names) + " |")


def print_targets(name: str, s: dict, target: float = 0.99) -> None:
    missed = [(k, v) for k, v in sorted(s["forms"].items()) if not (v["recall"] >= target and v["precision"] >= target)]
    missed_types = [t for t, v in s["types"].items() if v["gold"] and not (v["recall"] >= target and v["precision"] >= target)]
    print(f"\ntargets on the {name} (recall and precision >= {target} per type and per form; hard negatives preserved >= {target}):")
    types = ", ".join(f"{t} (P {fmt(s['types'][t]['precision'])}, R {fmt(s['types'][t]['recall'])})" for t in missed_types)
    forms = ", ".join(f"{k[0]}/{k[1]} (P {fmt(v['precision'])}, R {fmt(v['recall'])})" for k, v in missed)
    print(f"  types below target: {types or 'none'}")
    print(f"  forms below target: {forms or 'none'}")
    print(f"  hard negatives preserved: {fmt(s['keep_all'])}  {'met' if s['keep_all'] >= target else 'MISSED'}")


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


def presidio_predictions(analyzer, docs):
    out = []
    for doc in docs:
        rs = analyzer.analyze(doc.text, language="ko", score_threshold=0.0)
        out.append([(r.start, r.end, PRESIDIO_TYPES[r.entity_type]) for r in rs if r.score >= PRESIDIO_THRESHOLD and r.entity_type in PRESIDIO_TYPES])
    return out


# ----------------------------------------------------------------------------- throughput


def batches_of(texts: list[str], size: int = 1024) -> list[pa.RecordBatch]:
    rows = [{"doc_id": str(i), "source": "bench", "text": t} for i, t in enumerate(texts)]
    return [rows_to_batch(rows[i : i + size], DOCUMENT_SCHEMA) for i in range(0, len(rows), size)]


def compare_speed(steps: dict, batches, rounds: int = 5) -> dict[str, float]:
    """docs/s of each step: per batch, the best of ``rounds`` timings, summed over the batches.

    The steps take turns on each batch (in alternating order from round to round), so a change
    in the machine's speed during the run (other work on the host, clock scaling) reaches every
    step alike instead of whole passes of one of them.
    """
    n = sum(b.num_rows for b in batches)
    for s in steps.values():
        s.apply(batches[0])  # warm up (model load, regex compile)
    best = {k: [float("inf")] * len(batches) for k in steps}
    order = list(steps.items())
    for r in range(rounds):
        for i, b in enumerate(batches):
            for k, s in order if r % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                s.apply(b)
                best[k][i] = min(best[k][i], time.perf_counter() - t0)
    return {k: n / sum(v) for k, v in best.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-form", type=int, default=100, help="documents per (type, written form) in each set")
    ap.add_argument("--plain", type=int, default=500, help="documents without PII in each set")
    ap.add_argument("--docs", type=int, default=20000, help="documents per corpus for throughput")
    ap.add_argument("--baseline", default="7e74ef3", help="git revision of the redactor to compare with")
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()

    if not pii_eval.CORPORA.exists():
        print(f"skip: {pii_eval.CORPORA} not found")
        return 0
    sets = {
        "regression set (bench/pii_eval.py)": pii_eval.build_eval_set(args.per_form, args.plain, sentences=pii_eval.load_sentences()),
        "independent set (bench/pii_independent.py)": pii_independent.build_set(args.per_form, args.plain),
    }
    for name, docs in sets.items():
        print(f"{name}: {len(docs)} documents, {sum(len(d.spans) for d in docs)} labelled values, "
              f"{sum(len(d.keep) for d in docs)} spans that must stay")

    new = KoreanPiiRedactor(actions={t: "redact" for t in PII_TYPES})
    Old = redactor_at(args.baseline)
    old = Old(actions={t: "redact" for t in Old.__init__.__globals__["PII_TYPES"]})
    old_types = set(Old.__init__.__globals__["PII_TYPES"])
    analyzer = None if args.no_presidio else presidio_analyzer()
    if analyzer is None:
        print("\nPresidio: not installed (pip install -e '.[bench]') or disabled, skipped")
    supports = {"kocorpus": set(TYPES), f"kocorpus@{args.baseline}": old_types, "Presidio": set(PRESIDIO_TYPES.values())}

    timings = {}
    for name, docs in sets.items():
        results = {}
        t0 = time.perf_counter()
        results["kocorpus"] = score(docs, [[(d.start, d.end, d.type) for d in new.detect(doc.text)] for doc in docs])
        timings[(name, "kocorpus")] = time.perf_counter() - t0
        results[f"kocorpus@{args.baseline}"] = score(docs, [[(d.start, d.end, d.type) for d in old.detect(doc.text)] for doc in docs])
        if analyzer is not None:
            t0 = time.perf_counter()
            results["Presidio"] = score(docs, presidio_predictions(analyzer, docs))
            timings[(name, "Presidio")] = time.perf_counter() - t0
        sup = {k: supports[k] for k in results}
        forms = pii_eval.FORMS if "regression" in name else pii_independent.FORMS
        print(f"\n## {name}")
        print_type_table(f"Per type, {name}", results, sup)
        print_form_table(f"Per written form, {name} (precision over the detections in that form's documents)", results, sup, forms)
        print_keep_table(f"Spans that must stay (hard negatives, address regions, public figures), {name}", results)
        print_targets(name, results["kocorpus"])
        if analyzer is not None:
            print(f"\nkocorpus vs Presidio on the {name} (F1 per shared type):")
            for t in TYPES:
                if t in PRESIDIO_TYPES.values():
                    a, b = results["kocorpus"]["types"][t]["f1"], results["Presidio"]["types"][t]["f1"]
                    print(f"  {t:15s} kocorpus {fmt(a)}  presidio {fmt(b)}  {'ok' if a >= b else 'BELOW'}")

    print("\nthroughput, one core, KoreanPiiRedactor.apply on the same Arrow batches of 1,024 documents (docs/s; per batch the best of 5 turns, the steps taking turns on each batch):")
    steps = {"kocorpus": new, f"kocorpus@{args.baseline}": old}
    try:
        from kocorpus.filters.langid import FastTextLanguageId

        steps["langid (fastText)"] = FastTextLanguageId()
    except Exception as e:  # noqa: BLE001
        print(f"langid unavailable: {e}")
    inputs = [(name.split(" (")[0], batches_of([d.text for d in docs])) for name, docs in sets.items()]
    for fname in ("news_comments.parquet", "longform_news_reviews.parquet", "ud_sentences.parquet"):
        path = pii_eval.CORPORA / fname
        if path.exists():
            texts = pq.read_table(path, columns=["text"]).column("text").to_pylist()[: args.docs]
            inputs.append((fname.removesuffix(".parquet"), batches_of(texts)))
    print("| input | docs | " + " | ".join(steps) + f" | kocorpus / kocorpus@{args.baseline} |")
    print("|---|---:|" + "---:|" * len(steps) + "---:|")
    for label, batches in inputs:
        v = compare_speed(steps, batches)
        n = sum(b.num_rows for b in batches)
        print(f"| {label} | {n:,} | " + " | ".join(f"{x:,.0f}" for x in v.values()) + f" | {v['kocorpus'] / v[f'kocorpus@{args.baseline}']:.2f} |")
    for name, docs in sets.items():
        if (name, "Presidio") in timings:
            k, p = timings[(name, "kocorpus")], timings[(name, "Presidio")]
            print(f"detect() on the {name.split(' (')[0]}: kocorpus {len(docs) / k:,.0f} docs/s, Presidio analyze() {len(docs) / p:,.0f} docs/s ({p / k:.0f}x slower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

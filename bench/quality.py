"""Quality-step benchmark on ../shared/corpora: drop rates, reasons, cost per rule group, samples.

    .venv/bin/python bench/quality.py [--per-source 4000] [--corpora ../shared/corpora]

Prints:
- drop rate per source and profile (default = FineWeb-2 kor_Hang + Korean rules, strict, lenient);
- the default profile's drop reasons per source;
- docs/s per core (one process, one thread): all rules, without the Kiwi-dependent rules, and
  with datatrove's own filter classes deciding (``engine="datatrove"``), plus keep/drop
  disagreements between the two engines;
- the cost of each rule group (ms per 1,000 documents and share of the total);
and writes 20 kept and 20 dropped documents from the news comments and the movie reviews (default
and lenient profiles) to a Markdown file for reading.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq

from kocorpus.filters.fineweb2_rules import line_signals, word_signals
from kocorpus.filters.korean_script import eojeol_count, hangul_ratio, jamo_noise_ratio, non_space_chars
from kocorpus.filters.korean_words import korean_word_tokenizer
from kocorpus.filters.normalize import normalize_text
from kocorpus.filters.quality import QualityFilter

SOURCES = {
    "news_comments": "news comments",
    "nsmc_reviews": "movie reviews",
    "longform_news_reviews": "long-form news/book reviews",
    "ud_sentences": "edited sentences",
    "chatbot_qa": "chatbot Q&A",
    "nsmc_synopses": "movie synopses",
}


def load(corpora: Path, per_source: int, seed: int) -> dict[str, list[str]]:
    """A seeded sample of each corpus file, normalised as the pipeline's normalize step does."""
    out = {}
    for name in SOURCES:
        path = corpora / f"{name}.parquet"
        if not path.exists():
            continue
        texts = [t for t in pq.read_table(path, columns=["text"]).column("text").to_pylist() if t]
        random.Random(seed).shuffle(texts)
        out[name] = [normalize_text(t) for t in texts[:per_source]]
    return out


def timed(fn, texts):
    t0 = time.perf_counter()
    res = [fn(t) for t in texts]
    return res, time.perf_counter() - t0


def rule_group_costs(texts: list[str]) -> dict[str, float]:
    """Seconds spent per rule group on ``texts`` (every group on every document)."""
    qf = QualityFilter()
    tok = korean_word_tokenizer()
    t = qf.thresholds
    costs: dict[str, float] = defaultdict(float)
    for text in texts:
        t0 = time.perf_counter()
        text = qf._boilerplate.clean(text).text
        t1 = time.perf_counter()
        non_space_chars(text), eojeol_count(text), hangul_ratio(text), jamo_noise_ratio(text)
        t2 = time.perf_counter()
        qf._spam.measure(text)
        t3 = time.perf_counter()
        if text.strip():
            line_signals(text)
        t4 = time.perf_counter()
        words = tok.word_tokenize(text + " ")  # defeat the one-entry cache
        t5 = time.perf_counter()
        if words:
            word_signals(text, words, top_n=[n for n, _ in t["top_n_grams"]], dup_n=[n for n, _ in t["dup_n_grams"]])
        t6 = time.perf_counter()
        costs["boilerplate lines"] += t1 - t0
        costs["length, Hangul, jamo"] += t2 - t1
        costs["spam keywords"] += t3 - t2
        costs["FineWeb-2 line rules"] += t4 - t3
        costs["Kiwi words"] += t5 - t4
        costs["FineWeb-2 word rules (n-grams, stop words...)"] += t6 - t5
    return dict(costs)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def sample_md(data: dict[str, list[str]], seed: int, per_kind: int = 20) -> str:
    out = ["# Quality decisions on news comments and movie reviews", "",
           "Written by `bench/quality.py`: a seeded sample of kept and dropped documents per profile,",
           "with the reason code and measured value of each drop.", ""]  # fmt: skip
    rng = random.Random(seed)
    for name in ("news_comments", "nsmc_reviews"):
        if name not in data:
            continue
        for profile in ("default", "lenient"):
            qf = QualityFilter(profile=profile)
            judged = [(t, qf.judge(t)[1]) for t in data[name]]
            kept = [j for j in judged if j[1] is None]
            dropped = [j for j in judged if j[1] is not None]
            out.append(f"## {SOURCES[name]} — profile `{profile}` ({len(kept)} kept, {len(dropped)} dropped)")
            out.append("")
            for label, pool in (("kept", kept), ("dropped", dropped)):
                pick = rng.sample(pool, min(per_kind, len(pool)))
                out.append(f"### {label}")
                out.append("")
                for text, verdict in pick:
                    shown = text.replace("\n", " ⏎ ").replace("|", "\\|")
                    why = f" — `{verdict.reason}` {verdict.value}" if verdict else ""
                    out.append(f"- {shown}{why}")
                out.append("")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "corpora"))
    ap.add_argument("--per-source", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--samples", default="docs/quality-samples.md", help="Markdown file for the kept/dropped samples")
    args = ap.parse_args(argv)
    corpora = Path(args.corpora)
    if not corpora.exists():
        print(f"skipped: {corpora} not found")
        return 0
    data = load(corpora, args.per_source, args.seed)
    korean_word_tokenizer().word_tokenize("준비 운동입니다.")  # load Kiwi outside the timings

    print(f"\n## Drop rate per source and profile ({args.per_source} documents per source at most)\n")
    rows = []
    reasons_by_source: dict[str, Counter] = {}
    for name, texts in data.items():
        row = [f"{SOURCES[name]} ({name})", len(texts)]
        for profile in ("default", "strict", "lenient"):
            verdicts = [QualityFilter(profile=profile).judge(t)[1] for t in texts]
            row.append(f"{100 * sum(v is not None for v in verdicts) / len(texts):.1f}%")
            if profile == "default":
                reasons_by_source[name] = Counter(v.reason for v in verdicts if v is not None)
        rows.append(row)
    print(table(["source", "docs", "default", "strict", "lenient"], rows))

    print("\n## Drop reasons, default profile (% of the source's documents)\n")
    all_reasons = sorted({r for c in reasons_by_source.values() for r in c}, key=lambda r: -sum(c[r] for c in reasons_by_source.values()))
    rows = [[r] + [f"{100 * reasons_by_source[n][r] / len(data[n]):.1f}" if reasons_by_source[n][r] else "" for n in data] for r in all_reasons]
    print(table(["reason"] + list(data), rows))

    print("\n## Throughput per core (one process, one thread), default profile\n")
    rows = []
    total = {"all": 0.0, "cheap": 0.0, "datatrove": 0.0}
    n_docs = 0
    n_chars = 0
    disagree = 0
    for name, texts in data.items():
        full, t_full = timed(QualityFilter().judge, texts)
        _, t_cheap = timed(QualityFilter(word_rules=False).judge, texts)
        dt, t_dt = timed(QualityFilter(engine="datatrove").judge, texts)
        disagree += sum((a[1] is None) != (b[1] is None) for a, b in zip(full, dt))
        chars = sum(len(t) for t in texts)
        rows.append([SOURCES[name], f"{len(texts) / t_full:,.0f}", f"{len(texts) / t_cheap:,.0f}", f"{len(texts) / t_dt:,.0f}", f"{chars / t_full / 1000:,.0f}k"])
        total["all"] += t_full
        total["cheap"] += t_cheap
        total["datatrove"] += t_dt
        n_docs += len(texts)
        n_chars += chars
    rows.append(["**all**", f"{n_docs / total['all']:,.0f}", f"{n_docs / total['cheap']:,.0f}", f"{n_docs / total['datatrove']:,.0f}", f"{n_chars / total['all'] / 1000:,.0f}k"])
    print(table(["source", "docs/s all rules", "docs/s without Kiwi rules", "docs/s datatrove classes", "chars/s all rules"], rows))
    print(f"\nkeep/drop disagreements between the two engines: {disagree} of {n_docs}")

    print("\n## Cost per rule group (every group run on every document)\n")
    pool = [t for texts in data.values() for t in texts]
    costs = rule_group_costs(pool)
    whole = sum(costs.values())
    rows = [[g, f"{1000 * c / len(pool) * 1000:,.1f}", f"{100 * c / whole:.1f}%"] for g, c in sorted(costs.items(), key=lambda x: -x[1])]
    print(table(["rule group", "ms per 1,000 docs", "share"], rows))

    samples = Path(args.samples)
    samples.parent.mkdir(parents=True, exist_ok=True)
    samples.write_text(sample_md(data, args.seed), encoding="utf-8")
    print(f"\nsamples: {samples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

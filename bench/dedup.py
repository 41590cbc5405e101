"""Dedup benchmark on the real Korean corpora in ../shared/corpora (skips cleanly when absent).

Sections (all by default; pick with --only):

- ``signatures``: MinHash signature throughput, kocorpus vs datasketch (same shingles, same
  process), on the corpora's short texts and on web-page-length documents; checks the
  signatures are bit-identical.
- ``shingling``: character vs eojeol n-grams on real text with realistic edits: how often a
  planted near copy stays above the threshold, how often unrelated texts cross it, how many
  documents are too short to shingle.
- ``lsh``: recall and precision of LSH candidates (and after verification / components)
  against exact Jaccard over all pairs of a 20,000-document sample at threshold 0.8.
- ``e2e``: the whole dedup stage in Spark (local[2]) at 1x, 2x and 4x input.

Usage: python bench/dedup.py [--corpora DIR] [--only signatures,lsh] [--e2e-base 50000]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpora"
REAL_FILES = [
    "nsmc_reviews.parquet",
    "news_comments.parquet",
    "chatbot_qa.parquet",
    "ud_sentences.parquet",
    "longform_news_reviews.parquet",
    "nsmc_synopses.parquet",
]
THRESHOLD = 0.8


# ---------------------------------------------------------------- data
def load_texts(corpora: Path) -> dict[str, list[str]]:
    out = {}
    for name in REAL_FILES:
        p = corpora / name
        if p.exists():
            out[name] = [t for t in pq.read_table(p, columns=["text"]).column("text").to_pylist() if t]
    return out


def mixed_sample(texts: dict[str, list[str]], n: int, seed: int) -> list[str]:
    """n texts drawn across the corpora in proportion to their size (without replacement)."""
    rnd = random.Random(seed)
    pool = [t for name in sorted(texts) for t in texts[name]]
    return rnd.sample(pool, min(n, len(pool)))


def long_documents(texts: dict[str, list[str]], n: int, chars: int, seed: int) -> list[str]:
    """Web-page-length documents: consecutive NSMC reviews joined until ``chars`` characters."""
    rnd = random.Random(seed)
    src = texts["nsmc_reviews.parquet"]
    docs = []
    for _ in range(n):
        i = rnd.randrange(len(src))
        parts, size = [], 0
        while size < chars:
            parts.append(src[i % len(src)])
            size += len(parts[-1]) + 1
            i += 1
        docs.append("\n".join(parts))
    return docs


class Editor:
    """Realistic edits of Korean text at the eojeol level."""

    PARTICLES = [("은", "는"), ("이", "가"), ("을", "를"), ("에", "에서"), ("로", "으로")]

    def __init__(self, vocab: list[str], seed: int):
        self.vocab = vocab
        self.rnd = random.Random(seed)

    def edit(self, text: str, ops: int) -> str:
        w = text.split()
        for _ in range(ops):
            if not w:
                break
            op = self.rnd.choice(["sub", "del", "ins", "space", "particle", "punct"])
            i = self.rnd.randrange(len(w))
            if op == "sub":
                w[i] = self.rnd.choice(self.vocab)
            elif op == "del" and len(w) > 1:
                del w[i]
            elif op == "ins":
                w.insert(i, self.rnd.choice(self.vocab))
            elif op == "space":  # Korean spacing varies: merge two eojeols or split one
                if i + 1 < len(w) and self.rnd.random() < 0.5:
                    w[i : i + 2] = [w[i] + w[i + 1]]
                elif len(w[i]) > 2:
                    k = self.rnd.randrange(1, len(w[i]))
                    w[i : i + 1] = [w[i][:k], w[i][k:]]
            elif op == "particle":
                for a, b in self.PARTICLES:
                    if w[i].endswith(a):
                        w[i] = w[i][: -len(a)] + b
                        break
                    if w[i].endswith(b):
                        w[i] = w[i][: -len(b)] + a
                        break
            else:
                w[i] = w[i] + self.rnd.choice(["!", "...", ",", "?", "~~"])
        return " ".join(w)


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join([line, sep, *body])


# ---------------------------------------------------------------- signatures
def bench_signatures(texts: dict[str, list[str]], num_perm: int = 256) -> None:
    from datasketch import MinHash

    from kocorpus.dedup.minhash import MinHashSignatures
    from kocorpus.dedup.shingles import normalize_for_shingling, shingles_of_normalized

    workloads = [
        ("corpus mix (short texts)", mixed_sample(texts, 20000, seed=1)),
        ("web-page length (~2,000 chars)", long_documents(texts, 1000, 2000, seed=2)),
    ]
    ours = MinHashSignatures(num_perm=num_perm, seed=1, kind="char", n=5, engine="numba")
    ours.compute(["워밍업 문서입니다"])  # compile (or load the cached kernel) outside the timing
    numpy_engine = MinHashSignatures(num_perm=num_perm, seed=1, kind="char", n=5, engine="numpy")
    print(f"\n## Signature throughput (num_perm={num_perm}, char 5-grams, one core, best of 3)\n")
    rows = []
    def best_of(fn, repeats: int = 3):
        best, result = float("inf"), None
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
        return best, result

    def datasketch_per_document(arr):
        out = []
        for t in normalize_for_shingling(arr).to_pylist():
            m = MinHash(num_perm=num_perm, seed=1)
            m.update_batch([s.encode("utf-8") for s in shingles_of_normalized(t, "char", 5)])
            out.append(m)
        return out

    def datasketch_bulk(arr):
        norm = normalize_for_shingling(arr).to_pylist()
        return MinHash.bulk(
            [[s.encode("utf-8") for s in shingles_of_normalized(t, "char", 5)] for t in norm], num_perm=num_perm, seed=1
        )

    for label, docs in workloads:
        arr = pa.array(docs, type=pa.large_string())
        t_ours, (sig, counts) = best_of(lambda: ours.compute(arr))
        t_np, (sig_np, _) = best_of(lambda: numpy_engine.compute(arr))
        n_sh = int(counts.sum())
        # datasketch gets the same normalised shingles, built in Python as its users would.
        t_ds, _ = best_of(lambda: datasketch_per_document(arr))
        t_bulk, bulk = best_of(lambda: datasketch_bulk(arr))
        identical = all(np.array_equal(m.hashvalues, sig[i]) for i, m in enumerate(bulk)) and np.array_equal(sig, sig_np)
        n = len(docs)
        for name, t in [
            ("kocorpus MinHashSignatures (numba)", t_ours),
            ("kocorpus MinHashSignatures (numpy fallback)", t_np),
            ("datasketch MinHash per document + update_batch", t_ds),
            ("datasketch MinHash.bulk", t_bulk),
        ]:
            rows.append([label, n, name, f"{n / t:,.0f}", f"{n_sh / t / 1e6:.2f}", f"{t_ds / t:.1f}x", f"{t_bulk / t:.1f}x"])
        rows.append([label, n, f"bit-identical to datasketch: {'yes' if identical else 'NO'}", "", "", "", ""])
    print(table(["workload", "docs", "implementation", "docs/s", "M shingles/s", "vs per-doc", "vs bulk"], rows))


# ---------------------------------------------------------------- shingling
def shingle_sets(docs: list[str], kind: str, n: int) -> list[frozenset]:
    from kocorpus.dedup.shingles import normalize_for_shingling, shingles_of_normalized

    norm = normalize_for_shingling(pa.array(docs, type=pa.large_string())).to_pylist()
    return [frozenset(shingles_of_normalized(t, kind, n)) for t in norm]


def bench_shingling(texts: dict[str, list[str]], corpora: Path) -> None:

    rnd = random.Random(3)
    long_src = [t for name in ("longform_news_reviews.parquet", "nsmc_synopses.parquet") for t in texts.get(name, [])]
    base = [t for t in long_src if len(t) >= 200]
    base = rnd.sample(base, min(300, len(base)))
    short_src = [t for t in mixed_sample(texts, 3000, seed=4) if len(t) >= 30]
    vocab = [w for t in mixed_sample(texts, 5000, seed=5) for w in t.split()]
    editor = Editor(vocab, seed=6)
    # a near copy: about one edit per 12 eojeols (long) or one edit (short)
    long_pairs = [(t, editor.edit(t, max(1, len(t.split()) // 12))) for t in base]
    short_pairs = [(t, editor.edit(t, 1)) for t in short_src[:1000]]
    space_pairs = [(t, _respace(t, rnd)) for t in base]
    unrelated = [tuple(rnd.sample(short_src, 2)) for _ in range(20000)]
    related = same_movie_pairs(corpora, 20000, rnd)
    mix = mixed_sample(texts, 20000, seed=8)

    configs = [("char", 3), ("char", 4), ("char", 5), ("char", 7), ("word", 1), ("word", 2), ("word", 3)]
    rows = []
    for kind, n in configs:

        def jac(pairs):
            left = shingle_sets([a for a, _ in pairs], kind, n)
            right = shingle_sets([b for _, b in pairs], kind, n)
            return [len(x & y) / len(x | y) if x and y else float("nan") for x, y in zip(left, right)]

        def frac(pairs):
            vals = [v for v in jac(pairs) if not math.isnan(v)]
            return sum(v >= THRESHOLD for v in vals) / max(1, len(vals))

        too_short = sum(1 for x in shingle_sets(mix, kind, n) if not x) / len(mix)
        rows.append(
            [
                f"{kind} {n}-gram",
                f"{frac(long_pairs):.3f}",
                f"{frac(short_pairs):.3f}",
                f"{frac(space_pairs):.3f}",
                f"{np.nanpercentile(jac(unrelated), 99.9):.3f}",
                f"{np.nanpercentile(jac(related), 99.9):.3f}",
                f"{too_short:.3f}",
            ]
        )
    print("\n## Shingling: character vs eojeol n-grams (exact Jaccard, threshold 0.8)\n")
    print(
        table(
            [
                "shingles",
                "long near copies >= 0.8",
                "short near copies >= 0.8",
                "respaced copies >= 0.8",
                "unrelated short pairs, p99.9 Jaccard",
                "same-movie reviews, p99.9 Jaccard",
                "too short (corpus mix)",
            ],
            rows,
        )
    )
    print(
        f"\nnear copies: {len(long_pairs)} news/synopsis texts with ~1 eojeol edit per 12 "
        f"(substitute, delete, insert, spacing, particle, punctuation); {len(short_pairs)} short texts with one edit; "
        f"respaced: the same long texts with 10% of the spaces moved; unrelated: 20,000 random pairs of "
        f"corpus texts of 30+ characters; same-movie: 20,000 pairs of different NSMC reviews (30+ characters) "
        f"of the same movie."
    )


def same_movie_pairs(corpora: Path, n: int, rnd: random.Random) -> list[tuple[str, str]]:
    """Pairs of different (after normalisation) NSMC reviews of one movie, 30+ characters each."""
    from kocorpus.dedup.shingles import normalize_for_shingling

    t = pq.read_table(corpora / "nsmc_reviews.parquet", columns=["text", "movie_id"]).to_pydict()
    by_movie: dict = defaultdict(list)
    for text, movie in zip(t["text"], t["movie_id"]):
        if text and len(text) >= 30:
            by_movie[movie].append(text)
    movies = [m for m, v in by_movie.items() if len(v) >= 2]
    weights = [len(by_movie[m]) for m in movies]
    pairs = []
    while len(pairs) < n:
        m = rnd.choices(movies, weights)[0]
        a, b = rnd.sample(by_movie[m], 2)
        pairs.append((a, b))
    norm = normalize_for_shingling(pa.array([x for p in pairs for x in p], type=pa.large_string())).to_pylist()
    return [p for i, p in enumerate(pairs) if norm[2 * i] != norm[2 * i + 1]]


def _respace(text: str, rnd: random.Random) -> str:
    w = text.split()
    out = []
    i = 0
    while i < len(w):
        if i + 1 < len(w) and rnd.random() < 0.05:
            out.append(w[i] + w[i + 1])
            i += 2
        elif len(w[i]) > 3 and rnd.random() < 0.05:
            k = rnd.randrange(1, len(w[i]))
            out += [w[i][:k], w[i][k:]]
            i += 1
        else:
            out.append(w[i])
            i += 1
    return " ".join(out)


# ---------------------------------------------------------------- lsh accuracy
def lsh_sample(texts: dict[str, list[str]], n: int, seed: int) -> list[str]:
    """Real texts (unique after normalisation) plus planted near copies of real texts."""
    from kocorpus.dedup.shingles import normalize_for_shingling

    rnd = random.Random(seed)
    n_planted = n // 4
    real = mixed_sample(texts, 3 * n, seed)
    norm = normalize_for_shingling(pa.array(real, type=pa.large_string())).to_pylist()
    seen, uniq = set(), []
    for t, k in zip(real, norm):
        if k not in seen and len(k) >= 5:
            seen.add(k)
            uniq.append(t)
    docs = uniq[: n - n_planted]
    vocab = [w for t in docs[:5000] for w in t.split()]
    editor = Editor(vocab, seed + 1)
    sources = [t for t in docs if len(t.split()) >= 8]
    for _ in range(n_planted):
        t = rnd.choice(sources)
        docs.append(editor.edit(t, rnd.choice([1, 1, 2, 3]) * max(1, len(t.split()) // 30)))
    rnd.shuffle(docs)
    return docs


def exact_pairs(sets: list[frozenset], threshold: float) -> dict[tuple[int, int], float]:
    """All pairs with Jaccard >= threshold, exactly (prefix filtering + length filter + verification)."""
    freq: dict = defaultdict(int)
    for s in sets:
        for x in s:
            freq[x] += 1
    ordered = [sorted(s, key=lambda x: (freq[x], x)) for s in sets]
    index: dict = defaultdict(list)
    out = {}
    order = sorted(range(len(sets)), key=lambda i: len(sets[i]))
    for i in order:
        s = ordered[i]
        if not s:
            continue
        prefix = len(s) - math.ceil(threshold * len(s)) + 1
        cands = set()
        for x in s[:prefix]:
            for j in index[x]:
                if len(sets[j]) >= threshold * len(s):
                    cands.add(j)
            index[x].append(i)
        for j in cands:
            inter = len(sets[i] & sets[j])
            jac = inter / (len(sets[i]) + len(sets[j]) - inter)
            if jac >= threshold:
                out[(min(i, j), max(i, j))] = jac
    return out


def _components(n: int, pairs) -> list[int]:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def bench_lsh(texts: dict[str, list[str]], n: int = 20000) -> None:
    from kocorpus.dedup.lsh import band_keys, optimal_bands
    from kocorpus.dedup.minhash import MinHashSignatures

    docs = lsh_sample(texts, n, seed=11)
    t0 = time.perf_counter()
    sets = shingle_sets(docs, "char", 5)
    truth = exact_pairs(sets, THRESHOLD)
    t_truth = time.perf_counter() - t0
    jvals = np.array(list(truth.values()))
    print(f"\n## LSH accuracy vs exact Jaccard ({len(docs):,} docs, char 5-grams, threshold {THRESHOLD})\n")
    print(
        f"exact all-pairs Jaccard (prefix-filtered, exact): {len(truth):,} pairs >= {THRESHOLD} in {t_truth:.1f}s; "
        f"{np.mean(jvals < 0.9):.0%} of them below 0.9"
    )
    rows = []
    for num_perm in (128, 256):
        sig, counts = MinHashSignatures(num_perm=num_perm, seed=1).compute(docs)
        for weights in ((0.5, 0.5), (0.2, 0.8), (0.1, 0.9)):
            b, r = optimal_bands(THRESHOLD, num_perm, weights)
            keys = band_keys(sig, b, r)
            buckets: dict = defaultdict(list)
            for i in np.flatnonzero(counts > 0):
                for band in range(b):
                    buckets[(band, int(keys[i, band]))].append(int(i))
            cand, star = set(), set()
            for members in buckets.values():
                if len(members) > 1:
                    m = min(members)
                    star.update((m, x) for x in members if x != m)
                    for ai in range(len(members)):
                        for bi in range(ai + 1, len(members)):
                            cand.add((min(members[ai], members[bi]), max(members[ai], members[bi])))
            est = {p: float(np.mean(sig[p[0]] == sig[p[1]])) for p in cand | star}
            for verify in (None, THRESHOLD, THRESHOLD - 0.05):
                found = cand if verify is None else {p for p in cand if est[p] >= verify}
                tp = sum(1 for p in found if p in truth)
                edges = star if verify is None else [p for p in star if est[p] >= verify]
                comp = _components(len(docs), edges)
                tp_c = sum(1 for (a, b_) in truth if comp[a] == comp[b_])
                sizes: dict = defaultdict(int)
                for c in comp:
                    sizes[c] += 1
                same = sum(k * (k - 1) // 2 for k in sizes.values())
                rows.append(
                    [
                        num_perm,
                        f"{weights[0]}/{weights[1]}",
                        f"{b}x{r}",
                        "none" if verify is None else f">= {verify:.2f}",
                        f"{len(found):,}",
                        f"{tp / len(truth):.3f}",
                        f"{tp / max(1, len(found)):.3f}",
                        f"{tp_c / len(truth):.3f}",
                        f"{tp_c / max(1, same):.3f}",
                    ]
                )
    print(
        table(
            [
                "num_perm",
                "fp/fn weights",
                "bands x rows",
                "verification",
                "pairs",
                "pair recall",
                "pair precision",
                "cluster recall",
                "cluster precision",
            ],
            rows,
        )
    )
    print(
        "\npairs: LSH candidate pairs (all pairs sharing a band), kept by verification when their estimated "
        "Jaccard reaches the bound. cluster: what the stage does (star edges to the bucket minimum, "
        "verified, connected components); recall = true pairs in one cluster, precision = same-cluster "
        "pairs that are true pairs."
    )


# ---------------------------------------------------------------- end to end
def bench_e2e(texts: dict[str, list[str]], base_n: int) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from kocorpus.dedup.stage import dedup_documents
    from kocorpus.schemas import DOCUMENT_SCHEMA, make_doc_id, rows_to_batch, sha256_text
    from kocorpus.pipelines.session import build_spark

    tmp = Path(tempfile.mkdtemp(prefix="kocorpus-bench-dedup-"))
    spark = build_spark(
        "local[2]", conf={"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"}, checkpoint_dir=str(tmp / "ck")
    )
    all_docs = lsh_sample(texts, 4 * base_n, seed=21)

    def frame(k: int):
        rows = [
            {"doc_id": make_doc_id("bench", str(i)), "source": "bench", "source_kind": "crawl", "text": t,
             "text_sha256": sha256_text(t)}
            for i, t in enumerate(all_docs[:k])
        ]
        path = tmp / f"docs-{k}.parquet"
        pq.write_table(pa.Table.from_batches([rows_to_batch(rows, DOCUMENT_SCHEMA)]), path)
        return spark.read.parquet(str(path))

    print(f"\n## End-to-end dedup stage (Spark local[2], 4 shuffle partitions, exact + near, defaults)\n")
    dedup_documents(spark, frame(2000), {}, index_dir=None, checkpoint_dir=str(tmp / "warm"))  # JVM + kernel warm-up
    rows = []
    times: list[float] = []
    base_t = None
    for mult in (1, 2, 4):
        k = base_n * mult
        docs = frame(k)
        t0 = time.perf_counter()
        kept, rejects, stats = dedup_documents(spark, docs, {}, index_dir=None, checkpoint_dir=str(tmp / f"run{mult}"))
        kept.write.mode("overwrite").parquet(str(tmp / f"kept{mult}"))
        rejects.write.mode("overwrite").parquet(str(tmp / f"rej{mult}"))
        t = time.perf_counter() - t0
        base_t = base_t or t
        times.append(t)
        n_kept = spark.read.parquet(str(tmp / f"kept{mult}")).count()
        n_rej = spark.read.parquet(str(tmp / f"rej{mult}")).count()
        assert n_kept + n_rej == k == stats["input"], "accounting identity broken"
        rows.append([f"{mult}x", f"{k:,}", f"{t:.1f}", f"{k / t:,.0f}", f"{t / base_t:.2f}",
                     stats["rejected_by_reason"].get("exact_duplicate", 0),
                     stats["rejected_by_reason"].get("near_duplicate", 0), stats["largest_cluster"]])
    print(table(["input", "docs", "seconds", "docs/s", "time vs 1x", "exact dups", "near dups", "largest cluster"], rows))
    marginal = (times[2] - times[0]) / (3 * base_n) * 1000
    print(
        f"\nmarginal cost {marginal:.3f} s per 1,000 documents; fixed cost (Spark jobs, checkpoints) about "
        f"{times[0] - marginal * base_n / 1000:.1f} s; kept + rejected = input at every size."
    )
    spark.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=str(DEFAULT_CORPORA))
    ap.add_argument("--only", default="signatures,shingling,lsh,e2e")
    ap.add_argument("--lsh-docs", type=int, default=20000)
    ap.add_argument("--e2e-base", type=int, default=50000)
    args = ap.parse_args(argv)
    corpora = Path(args.corpora)
    if not corpora.is_dir():
        print(f"skipped: corpora folder {corpora} not found")
        return 0
    texts = load_texts(corpora)
    if "nsmc_reviews.parquet" not in texts:
        print(f"skipped: {corpora} has no nsmc_reviews.parquet")
        return 0
    only = set(args.only.split(","))
    if "signatures" in only:
        bench_signatures(texts)
    if "shingling" in only:
        bench_shingling(texts, corpora)
    if "lsh" in only:
        bench_lsh(texts, args.lsh_docs)
    if "e2e" in only:
        bench_e2e(texts, args.e2e_base)
    return 0


if __name__ == "__main__":
    sys.exit(main())

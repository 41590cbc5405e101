"""Per-stage throughput of the whole pipeline on the real corpora in ../shared/corpora.

    python bench/stages.py [--docs 50000] [--corpora ../shared/corpora] [--master local[2]] [--repeat 3]

Writes a sample of the corpora (round-robin over the files, ``--docs`` in all)
as Parquet sources, runs every stage with local Spark ``--repeat`` times (a new
run each time), and prints docs/s and docs/s per core for each stage
(documents in / wall seconds): the median run's figures with the min-max of
the seconds. Skips cleanly when the corpora folder is absent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from spread import spread_text  # bench/spread.py (this script's folder is on sys.path)

HERE = Path(__file__).resolve().parent
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpora"
FILES = {
    "nsmc_reviews": ("crawl", "CC0-1.0"),
    "news_comments": ("crawl", "CC-BY-SA-4.0"),
    "longform_news_reviews": ("licensed", "CC-BY-2.5"),
    "ud_sentences": ("licensed", "CC-BY-SA-4.0"),
    "chatbot_qa": ("licensed", "MIT"),
    "nsmc_synopses": ("licensed", "CC0-1.0"),
}


def write_inputs(corpora: Path, out: Path, n_docs: int) -> list[dict]:
    per_file = max(1, n_docs // len(FILES))
    sources = []
    for name, (kind, lic) in FILES.items():
        t = pq.read_table(corpora / f"{name}.parquet", columns=["id", "text"])
        t = t.slice(0, min(per_file, t.num_rows))
        d = out / name
        d.mkdir(parents=True)
        pq.write_table(t, d / "part-0.parquet", row_group_size=5000)
        sources.append({"name": name, "kind": kind, "license": lic, "format": "parquet", "path": str(d / "*.parquet")})
    return sources


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--corpora", default=str(DEFAULT_CORPORA))
    ap.add_argument("--master", default="local[2]")
    ap.add_argument(
        "--profile",
        default="lenient",
        help="quality profile; lenient by default because these corpora are mostly short user text, "
        "which the default profile drops almost entirely, leaving later stages nothing to measure",
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs of the whole pipeline; medians with min-max")
    ap.add_argument("--keep", action="store_true", help="keep the run folder")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    corpora = Path(args.corpora)
    if not corpora.exists():
        print(f"skipped: corpora folder {corpora} not found")
        return 0
    from kocorpus.config import parse_config
    from kocorpus.pipelines.pipeline import run_pipeline

    load = f"{os.getloadavg()[0]:.1f}"
    work = Path(tempfile.mkdtemp(prefix="kocorpus-bench-"))
    try:
        sources = write_inputs(corpora, work / "inputs", args.docs)
        raw = {
            "run": {"root": str(work / "out"), "seed": 1},
            "spark": {"master": args.master},
            "sources": sources,
            "policy": {"allowed": ["CC0-1.0", "MIT"], "attribution": ["CC-BY-2.5", "CC-BY-SA-4.0"]},
            "quality": {"profile": args.profile},
            "tokenizer": {"vocab_size": 16000, "sample_max_chars": 5_000_000},
            "shards": {"seq_len": 2048},
        }
        cfg = parse_config(raw, base_dir=work)
        runs = []
        for r in range(args.repeat):
            ctx = run_pipeline(cfg, run_id=f"bench-{r}", master=args.master, progress=lambda m: print(m, file=sys.stderr))
            runs.append(ctx.stats)
        cores = int(args.master.split("[")[1].rstrip("]")) if "[" in args.master and "*" not in args.master else os.cpu_count()
        print(f"\nPipeline stages on {args.docs:,} documents from {corpora} ({args.master}, {cores} cores, quality profile "
              f"{args.profile}; median of {args.repeat} runs, seconds as median [min-max]; load average at the start {load})\n")  # fmt: skip
        print("| stage | docs in | docs out | seconds | docs/s | docs/s per core |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, s in ctx.stats.items():
            n_in = s.get("in") or s.get("documents") or 0
            secs = [x[name].get("seconds") or 0 for x in runs]
            med = statistics.median(secs)
            rate = n_in / med if med else 0
            print(f"| {name} | {n_in:,} | {s.get('out', s.get('documents', '')):,} | {spread_text(secs, 1)} | {rate:,.0f} | {rate / cores:,.0f} |")
        totals = [sum(v.get("seconds") or 0 for v in x.values()) for x in runs]
        n = ctx.stats["ingest"]["in"]
        med = statistics.median(totals)
        print(f"| **end to end** | {n:,} | {ctx.stats['dedup']['out']:,} | {spread_text(totals, 1)} | {n / med:,.0f} | {n / med / cores:,.0f} |")
        print_filter_steps(ctx, cfg, repeat=args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def print_filter_steps(ctx, cfg, max_docs: int = 20_000, repeat: int = 3) -> None:
    """docs/s per core of each step of the fused filter stage, in plain Python on one core.

    The steps run in pipeline order on the ingest stage's kept documents (at most ``max_docs``),
    in batches of 1,024, each step on the rows its predecessors kept, as in the stage; ``repeat``
    passes, the median pass's seconds with min-max.
    """
    import time

    import pyarrow.dataset as ds

    from kocorpus.schemas import DOCUMENT_SCHEMA, conform
    from kocorpus.pipelines.filter import build_steps

    table = ds.dataset(str(ctx.layout.kept_dir("ingest")), format="parquet").to_table()
    table = table.slice(0, min(max_docs, table.num_rows))
    steps = build_steps(cfg)
    passes = []
    for _ in range(repeat):
        seconds = {s.stage: 0.0 for s in steps}
        rows_in = {s.stage: 0 for s in steps}
        for batch in table.to_batches(max_chunksize=1024):
            batch = conform(batch, DOCUMENT_SCHEMA)
            for step in steps:
                if batch.num_rows == 0:
                    break
                t0 = time.perf_counter()
                result = step.apply(batch)
                seconds[step.stage] += time.perf_counter() - t0
                rows_in[step.stage] += batch.num_rows
                batch = result.batch.filter(pa.array([v is None for v in result.verdicts], type=pa.bool_()))
        passes.append(seconds)
    print(f"\nFilter stage, step by step (plain Python, one core, {table.num_rows:,} ingested documents; median of {repeat} passes)\n")
    print("| step | docs in | seconds [min-max] | docs/s per core |")
    print("|---|---:|---:|---:|")
    for name in seconds:
        secs = [p[name] for p in passes]
        med = statistics.median(secs)
        rate = rows_in[name] / med if med else 0
        print(f"| {name} | {rows_in[name]:,} | {spread_text(secs, 2)} | {rate:,.0f} |")


if __name__ == "__main__":
    raise SystemExit(main())

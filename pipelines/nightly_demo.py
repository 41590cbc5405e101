"""``make nightly-demo``: two nights in a row on the bundled sample, through the Dagster assets.

The sample's files are split into two crawl drops, ``drops/2026-12-01/`` and
``drops/2026-12-02/``; the second re-delivers eight of the first night's
essays (exact copies, same ids) and five community threads with one comment
added (near copies); the sample's February news has near copies of January's. Each night is materialized in process (no Dagster server) and the
demo prints: new inputs, kept documents, cross-night duplicates removed,
gates and the published manifest version. A third pass reruns night 2 to
show that nothing changes.

Usage: ``python -m kocorpus.pipelines.nightly_demo [--root out/nightly-demo]``.
The demo writes ``<root>/nightly.toml``, usable with
``KOCORPUS_NIGHTLY_CONFIG=<root>/nightly.toml dagster dev -m kocorpus.pipelines.nightly``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

NIGHTS = ("2026-12-01", "2026-12-02")
STAMP = ".kocorpus-nightly-demo"
SOURCE_DIRS = {  # source name -> (sample folder, glob under it)
    "news-archive": ("news", "*.jsonl.*"),
    "essays": ("essays", "*.parquet"),
    "movie-reviews": ("movies", "*.jsonl"),
    "web-crawl": ("crawl", "*.warc.gz"),
    "community": ("community", "*.txt"),
    "qa-pairs": ("qa", "*.jsonl"),
    "nc-archive": ("nc", "*.parquet"),
}


def build_drops(sample: Path, drops: Path) -> None:
    """Split the sample into two dated drops with overlap (see module docstring)."""
    import pyarrow.parquet as pq

    d1, d2 = (drops / n for n in NIGHTS)
    copy = lambda src, dst: (dst.parent.mkdir(parents=True, exist_ok=True), shutil.copyfile(src, dst))  # noqa: E731
    news = sorted((sample / "news").iterdir())
    copy(news[0], d1 / "news" / news[0].name)
    for f in news[1:]:
        copy(f, d2 / "news" / f.name)
    copy(sample / "essays" / "essays.parquet", d1 / "essays" / "essays.parquet")
    copy(sample / "qa" / "pairs.jsonl", d1 / "qa" / "pairs.jsonl")
    copy(sample / "crawl" / "crawl-0001.warc.gz", d2 / "crawl" / "crawl-0001.warc.gz")
    copy(sample / "nc" / "archive.parquet", d2 / "nc" / "archive.parquet")
    # night 2 re-delivers eight of night 1's essays, same ids and text (exact duplicates)
    essays = pq.read_table(sample / "essays" / "essays.parquet")
    (d2 / "essays").mkdir(parents=True, exist_ok=True)
    pq.write_table(essays.slice(0, 8), d2 / "essays" / "essays-redelivered.parquet")
    reviews = (sample / "movies" / "reviews.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    half = len(reviews) // 2
    (d1 / "movies").mkdir(parents=True, exist_ok=True)
    (d2 / "movies").mkdir(parents=True, exist_ok=True)
    (d1 / "movies" / "reviews-a.jsonl").write_text("".join(reviews[:half]), encoding="utf-8")
    (d2 / "movies" / "reviews-b.jsonl").write_text("".join(reviews[half:]), encoding="utf-8")
    posts = sorted((sample / "community").glob("post-0*.txt"))
    others = sorted(set((sample / "community").glob("*.txt")) - set(posts))
    for p in posts[: len(posts) // 2]:
        copy(p, d1 / "community" / p.name)
    for p in posts[len(posts) // 2 :] + others:
        copy(p, d2 / "community" / p.name)
    # five threads of night 1 come back on night 2 with one more comment (near duplicates)
    for p in posts[:5]:
        text = p.read_text(encoding="utf-8")
        (d2 / "community" / f"{p.stem}-updated.txt").write_text(text.rstrip("\n") + "\n좋은 글 감사합니다\n", encoding="utf-8")


def write_config(sample_toml: Path, root: Path) -> Path:
    """The sample config with sources under the drops, the run root, and a [nightly] table."""
    text = sample_toml.read_text(encoding="utf-8")
    drops = root / "drops"
    text = re.sub(r'(?m)^root = ".*"$', f'root = "{root / "out"}"', text)

    def source_path(m: re.Match) -> str:
        folder = m.group(1)
        glob = next(g for d, g in SOURCE_DIRS.values() if d == folder)
        return f'path = "{drops}/**/{folder}/{glob}"'

    text = re.sub(r'(?m)^path = "data/(\w+)/[^"]*"$', source_path, text)
    text += f"""
[nightly]
publish_dir = "{root / 'published'}"
drops = "{drops}"

[nightly.gates]
min_korean_share = 0.9
drop_rate_band = 0.3
trailing_runs = 7
"""
    path = root / "nightly.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cross_night_duplicates(night) -> int:
    """Rejects of the night's dedup whose survivor is not kept tonight: a published document of an earlier night."""
    import pyarrow.dataset as ds

    rows = ds.dataset(str(night.layout.data_dir("dedup")), partitioning="hive").to_table(
        columns=["doc_id", "dup_of", "outcome"]
    ).to_pylist()
    kept = {r["doc_id"] for r in rows if r["outcome"] == "kept"}
    return sum(1 for r in rows if r["outcome"] == "rejected" and r["dup_of"] and r["dup_of"] not in kept)


def main(argv: list[str] | None = None) -> int:
    import logging
    import warnings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default="out/nightly-demo", help="demo folder (recreated)")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.getLogger("dagster").setLevel(logging.WARNING)

    import dagster as dg

    from kocorpus.orchestration.definitions import ASSETS, GATES
    from kocorpus.orchestration.published import latest
    from kocorpus.pipelines.nightly import nightly_ops
    from kocorpus.sample import config_path as sample_config_path

    root = Path(args.root).resolve()
    if root.exists():
        if not (root / STAMP).exists():
            print(f"{root} exists and is not a nightly demo folder; choose another --root", file=sys.stderr)
            return 2
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / STAMP).write_text("made by kocorpus.pipelines.nightly_demo\n")
    sample_toml = Path(sample_config_path())
    build_drops(sample_toml.parent / "data", root / "drops")
    config = write_config(sample_toml, root)
    ops = nightly_ops(config, progress=lambda m: None)
    instance = dg.DagsterInstance.ephemeral()
    print(f"nightly demo in {root}\n  drops: {', '.join(NIGHTS)}  config: {config}\n")
    try:
        for i, date in enumerate(NIGHTS + NIGHTS[-1:]):
            rerun = i == len(NIGHTS)
            print(f"== night {date}{' (rerun)' if rerun else ''}")
            target = root / "published" / "manifest.json"
            before = target.read_bytes() if target.exists() else None
            result = dg.materialize(
                [*ASSETS, *GATES],
                partition_key=date,
                resources={"kocorpus": ops},
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
            night = ops.night(date)
            plan = night.read_plan()
            stats = night.stats()
            print(f"  new inputs         {len(plan['inputs'])} objects, {sum(f['size'] for f in plan['inputs']):,} bytes")
            if stats.get("ingest"):
                print(f"  documents read     {stats['ingest']['in']}")
                print(f"  kept after dedup   {stats['dedup']['out']}")
                print(f"  cross-night dups   {cross_night_duplicates(night)} removed (copies of published documents)")
            for e in result.get_asset_check_evaluations():
                print(f"  gate {e.asset_check_key.name:<17} {'pass' if e.passed else 'FAIL'}  {e.description}")
            m = latest(str(root / "published"))
            status = "published" if result.success else "NOT published"
            print(f"  {status}: manifest v{m['version'] if m else 0}, {m['totals']['shards'] if m else 0} shards, "
                  f"{m['totals']['documents'] if m else 0} documents, {m['totals']['tokens'] if m else 0:,} tokens")
            if rerun:
                same = before == target.read_bytes()
                print(f"  manifest.json {'byte-identical' if same else 'CHANGED'} after the rerun")
            print()
            if not result.success:
                return 1
    finally:
        if ops._spark is not None:
            ops.spark.stop()
    print(f"readers take {root / 'published' / 'manifest.json'} (every version under manifests/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

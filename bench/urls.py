"""URL blocklist benchmark: URLs per CPU-second, and what it rejects among ordinary URLs.

    nice .venv/bin/python bench/urls.py [--repeat 20]

URLs: the ``url`` column of ``../shared/corpora/longform_news_reviews.parquet`` (Korean
Wikinews articles with percent-encoded Hangul titles, book pages) and the 990 page URLs of
trafilatura's evaluation set (``../shared/extraction``), each where present. They are
ordinary pages, so every rejection printed is a false positive unless the page really is
gambling, adult or spam. Speed: ``time.process_time()`` over ``repeat`` passes of
:meth:`UrlBlocklistFilter.check`, after the lists are loaded (load time printed apart).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kocorpus.sources.urls import UrlBlocklistFilter

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def ordinary_urls() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    parquet = SHARED / "corpora" / "longform_news_reviews.parquet"
    if parquet.exists():
        import pyarrow.parquet as pq

        urls = pq.read_table(parquet, columns=["url"]).column("url").to_pylist()
        out["longform_news_reviews"] = sorted({u for u in urls if u and u.startswith("http")})
    archive = SHARED / "extraction" / "trafilatura-eval.tar.zst"
    if archive.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["tar", "--zstd", "-xf", str(archive), "-C", tmp, "evaldata.json"], check=True)
            index = json.loads((Path(tmp) / "evaldata.json").read_text("utf-8"))
        out["trafilatura_eval"] = sorted(u for u in index if u.startswith("http"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20, help="passes over the URLs for the timing")
    args = ap.parse_args(argv)
    sets = ordinary_urls()
    if not sets:
        print("no URL sets found under ../shared")
        return 0
    every = [u for urls in sets.values() for u in urls]
    print(f"URLs: " + ", ".join(f"{name} {len(urls)}" for name, urls in sets.items()))

    print("\n| lists | load CPU-s | URLs per CPU-second | rejected among ordinary URLs |")
    print("|---|---:|---:|---:|")
    rejected_full = {}
    for label, options in [("korean", {"ut1": False}), ("korean + ut1/datatrove", {})]:
        t0 = time.process_time()
        f = UrlBlocklistFilter(**options)
        f.check("https://warm.example/")  # loads the lists
        load = time.process_time() - t0
        t0 = time.process_time()
        for _ in range(args.repeat):
            verdicts = [f.check(u) for u in every]
        cpu = time.process_time() - t0
        rejected = {u: v.value for u, v in zip(every, verdicts) if v is not None}
        rejected_full = rejected
        print(f"| {label} | {load:.1f} | {args.repeat * len(every) / cpu:,.0f} | {len(rejected)} of {len(every)} |")

    print("\nRejected (both lists):")
    by_list = Counter(v.split(":", 1)[0] for v in rejected_full.values())
    print("  by list: " + (", ".join(f"{k} {n}" for k, n in by_list.most_common()) or "none"))
    for url, value in sorted(rejected_full.items()):
        print(f"  {value}  {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

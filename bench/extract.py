"""Web-page extraction benchmark: every engine on trafilatura's evaluation set and on the Korean pages.

    nice .venv/bin/python bench/extract.py [--eval ../shared/extraction/trafilatura-eval.tar.zst]
                                           [--limit N] [--engines name,...]

The evaluation set (923 real pages, 884 with their HTML; ``with``/``without`` snippets per page)
is unpacked into a temporary folder for the run and removed afterwards; without it, only the
Korean pages (``tests/sources/pages``) are scored. Pages are decoded the way ``read_warc`` does
(``sources/decode.py``: the declared charset, else UTF-8, else CP949) before any engine sees them.

Scores (snippet level, as trafilatura's own evaluation): a ``with`` snippet found in the
extracted text is a true positive, missing a false negative; a ``without`` snippet found is a
false positive, missing a true negative. Whitespace runs are collapsed on both sides before
matching, so engines are not scored on how they break lines. Accuracy = (TP + TN) / all.
The Korean pages score ``must_contain`` as ``with`` and ``must_not_contain`` as ``without``,
for the engine's text and for that text after ``BoilerplateLineRemover`` (what the quality
step keeps).

Halves: pages are split by the parity of the SHA-1 of their URL. The hybrid's
``BOILERPLATE_SELECTORS`` were each kept for removing more boilerplate than main text on half A;
half B was not looked at when choosing them, so its F1 is the held-out figure.

CPU: ``time.process_time()`` around the extraction loop of one engine (after a warm-up on the
first pages, so one-time imports and list loading are not counted), one process, one thread;
the fastest of ``--repeat`` passes (20 for the small Korean set), since a loaded machine only
ever adds time. trafilatura-fineweb is the reference for the CPU ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kocorpus.filters.boilerplate import BoilerplateLineRemover
from kocorpus.sources.decode import DecodeError, decode_bytes
from kocorpus.sources.extract import DEFAULT_ENGINE, HtmlExtractor
from kocorpus.sources.html_text import sniff_charset

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "extraction" / "trafilatura-eval.tar.zst"
KOREAN_PAGES = ROOT / "tests" / "sources" / "pages"
REFERENCE = "trafilatura-fineweb"

#: name -> (what it is, HtmlExtractor arguments)
ENGINES: dict[str, tuple[str, dict]] = {
    "builtin": ("current stdlib extractor (all visible text)", {"engine": "builtin"}),
    "trafilatura-fineweb": (
        "trafilatura, FineWeb's settings: favor_precision, include_comments=False, deduplicate=True",
        {"engine": "trafilatura", "deduplicate": True},
    ),
    "trafilatura": ("trafilatura as kocorpus runs it (FineWeb's, deduplicate=False)", {"engine": "trafilatura"}),
    "trafilatura-fast": (
        "trafilatura fast=True (no readability/jusText comparison): the hybrid's first part",
        {"engine": "trafilatura", "trafilatura_fast": True},
    ),
    "resiliparse-dclm": (
        "resiliparse main_content=True, library defaults otherwise (DCLM)",
        {"engine": "resiliparse", "resiliparse_comments": True, "post_meta": True, "alt_texts": True},
    ),
    "resiliparse": (
        "resiliparse main_content=True, comments/post_meta/alt_texts off (kocorpus)",
        {"engine": "resiliparse"},
    ),
    "hybrid": (
        "Korean pages: resiliparse; others: trafilatura fast inside the main container, resiliparse "
        "(boilerplate blocks skipped) where trafilatura finds < 20% of it or would read > 200,000 characters",
        {"engine": "hybrid"},
    ),
}


@dataclass
class Counts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, text: str, with_: list[str], without: list[str]) -> None:
        t = _squash(text)
        for s in with_:
            if _squash(s) in t:
                self.tp += 1
            else:
                self.fn += 1
        for s in without:
            if _squash(s) in t:
                self.fp += 1
            else:
                self.tn += 1

    def scores(self) -> tuple[float, float, float, float]:
        p = self.tp / max(1, self.tp + self.fp)
        r = self.tp / max(1, self.tp + self.fn)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        acc = (self.tp + self.tn) / max(1, self.tp + self.tn + self.fp + self.fn)
        return p, r, f1, acc


@dataclass
class Page:
    name: str
    html: str
    with_: list[str]
    without: list[str]
    meta: dict = field(default_factory=dict)


def _squash(s: str) -> str:
    return " ".join(s.split())


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return decode_bytes(raw, sniff_charset(raw))[0], True
    except DecodeError:
        return raw.decode("utf-8", "replace"), False


def load_eval_set(archive: Path, limit: int | None) -> tuple[list[Page], int]:
    """Pages of trafilatura's evaluation set with their snippets; also how many did not decode cleanly."""
    import zstandard

    pages: list[Page] = []
    bad = 0
    with tempfile.TemporaryDirectory(prefix="kocorpus-extract-eval-") as tmp:
        with open(archive, "rb") as f:
            stream = zstandard.ZstdDecompressor().stream_reader(f)
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                tar.extractall(tmp, filter="data")
        root = Path(tmp)
        index = json.loads(next(root.rglob("evaldata.json")).read_text("utf-8"))
        folder = next(root.rglob("eval"))
        for url, item in index.items():
            path = folder / item["file"]
            if not path.exists():
                continue
            html, clean = _decode(path.read_bytes())
            bad += not clean
            pages.append(Page(url, html, item["with"], item["without"]))
            if limit and len(pages) >= limit:
                break
    return pages, bad


def load_korean_pages() -> list[Page]:
    pages = []
    for html_path in sorted(KOREAN_PAGES.glob("*.html")):
        meta = json.loads(html_path.with_suffix(".json").read_text("utf-8"))
        html, _ = _decode(html_path.read_bytes())
        pages.append(Page(html_path.stem, html, meta["must_contain"], meta["must_not_contain"], meta))
    return pages


def _forget_seen_paragraphs() -> None:
    """Empty trafilatura's process-wide paragraph cache (used only with ``deduplicate=True``)."""
    from trafilatura.deduplication import LRU_TEST

    LRU_TEST.clear()


def half_of(url: str) -> int:
    """0 (half A) or 1 (half B): the parity of the URL's SHA-1."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest(), 16) % 2


@dataclass
class Run:
    counts: Counts
    halves: tuple[Counts, Counts]  # half A, half B (see module docstring)
    counts_lines: Counts  # after BoilerplateLineRemover
    cpu_s: float
    pages: int
    empty: int
    rescued: int  # hybrid: pages whose text came from resiliparse
    passed: int  # pages with every with-snippet and no without-snippet (after the line remover)
    signals_ok: int  # Korean pages: title, charset and noai as the sidecar says


def run_engine(options: dict, pages: list[Page], warmup: int = 5, repeat: int = 1) -> Run:
    """Score one engine; CPU is the fastest of ``repeat`` passes (a loaded machine only adds time)."""
    extractor = HtmlExtractor(**options)
    for page in pages[:warmup]:
        extractor.extract(page.html)
    cpu = float("inf")
    results = None
    for _ in range(repeat):
        _forget_seen_paragraphs()  # each pass starts as a fresh worker would (deduplicate=True)
        t0 = time.process_time()
        out = [extractor.extract(page.html) for page in pages]
        cpu = min(cpu, time.process_time() - t0)
        results = results or out  # scores come from the first pass
    remover = BoilerplateLineRemover()
    c, cl = Counts(), Counts()
    halves = (Counts(), Counts())
    empty = rescued = passed = signals_ok = 0
    for page, res in zip(pages, results, strict=True):
        c.add(res.text, page.with_, page.without)
        halves[half_of(page.name)].add(res.text, page.with_, page.without)
        cleaned = remover.clean(res.text).text
        cl.add(cleaned, page.with_, page.without)
        one = Counts()
        one.add(cleaned, page.with_, page.without)
        passed += one.fn == 0 and one.fp == 0
        empty += res.text == ""
        rescued += options.get("engine") == "hybrid" and res.engine == "resiliparse"
        if page.meta:
            want_charset = (page.meta.get("declared_charset") or "").lower()
            signals_ok += (
                res.title == page.meta.get("title")
                and (res.declared_charset or "").lower() == want_charset
                and res.noai == page.meta.get("noai")
            )
    return Run(c, halves, cl, cpu, len(pages), empty, rescued, passed, signals_ok)


def print_table(title: str, runs: dict[str, Run], korean: bool) -> None:
    ref = runs.get(REFERENCE)
    print(f"\n{title}\n")
    head = "| engine | P | R | F1 | accuracy | F1 + line remover | pages per CPU-second | CPU vs trafilatura-fineweb | empty |"
    if not korean:
        head += " F1 half A | F1 half B (held out) |"
    if korean:
        head += " pages passing (+ line remover) | title/charset/noai right |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, run in runs.items():
        p, r, f1, acc = run.counts.scores()
        f1_lines = run.counts_lines.scores()[2]
        rate = run.pages / run.cpu_s if run.cpu_s else float("inf")
        rel = f"{run.cpu_s / ref.cpu_s:.2f}" if ref and ref.cpu_s else "n/a"
        row = f"| {name} | {p:.3f} | {r:.3f} | {f1:.4f} | {acc:.3f} | {f1_lines:.3f} | {rate:,.0f} | {rel} | {run.empty} |"
        if not korean:
            row += f" {run.halves[0].scores()[2]:.4f} | {run.halves[1].scores()[2]:.4f} |"
        if korean:
            row += f" {run.passed}/{run.pages} | {run.signals_ok}/{run.pages} |"
        print(row)
    hybrid = runs.get("hybrid")
    if hybrid:
        print(f"\nhybrid: resiliparse's text used on {hybrid.rescued} of {hybrid.pages} pages.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="trafilatura-eval.tar.zst")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N pages of the set")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of: " + ", ".join(ENGINES))
    ap.add_argument("--repeat", type=int, default=2, help="timed passes per engine; the fastest counts")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        ap.error(f"unknown engines: {unknown}")

    print("Engines:")
    for name in names:
        print(f"- {name}: {ENGINES[name][0]}")
    print(f"Default engine: {DEFAULT_ENGINE}")

    if args.eval.exists():
        pages, bad = load_eval_set(args.eval, args.limit)
        print(f"\ntrafilatura evaluation set: {len(pages)} pages with HTML ({bad} not cleanly decodable, read as UTF-8 with replacement)")
        runs = {}
        for name in names:
            runs[name] = run_engine(ENGINES[name][1], pages, repeat=args.repeat)
            print(f"  {name}: done ({runs[name].cpu_s:.1f} CPU-s)", file=sys.stderr, flush=True)
        print_table(f"Web-page extraction on trafilatura's evaluation set ({len(pages)} pages)", runs, korean=False)
    else:
        print(f"\n{args.eval} not found: skipping trafilatura's evaluation set")

    kpages = load_korean_pages()
    kruns = {name: run_engine(ENGINES[name][1], kpages, warmup=2, repeat=max(args.repeat, 20)) for name in names}
    print_table(f"Web-page extraction on the Korean pages (tests/sources/pages, {len(kpages)} pages)", kruns, korean=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

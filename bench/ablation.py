"""Ablation bench: does a filter, a threshold or a tokenizer make the model better? (``kocorpus ablate``)

    .venv/bin/python bench/ablation.py [--preset cpu|gpu] [--arms raw,default,lenient,korean,no-dedup,bpe]
                                       [--seeds 3] [--tokens N] [--per-source 4000] [--out out/bench-ablation]
                                       [--corpora ../shared/corpora] [--write]

Input: a mixed Korean corpus from ``../shared/corpora`` written as one Parquet file per source
(user text as ``crawl`` sources: movie reviews, news comments, chatbot Q&A; edited text as
``licensed`` sources: Wikinews articles and book reviews, UD sentences), at most
``--per-source`` documents each (all of the 1,259 long-form articles). The held-out evaluation
text is a fixed 30% of the long-form articles (clean, edited prose): the ``holdout`` step keeps it
out of every arm, and ``kocorpus ablate`` checks that by hash.

Prints the table (bits per byte on the held-out text: lower is better; the mean over seeds and
its sample standard deviation), and with ``--write`` puts it in docs/ablation.md between the
markers. Skips cleanly (exit 0) when the corpora are absent.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
DOC = ROOT / "docs" / "ablation.md"
BEGIN, END = "<!-- bench/ablation.py: begin -->", "<!-- bench/ablation.py: end -->"

#: corpus file -> (source name, kind)
SOURCES = {
    "longform_news_reviews": ("longform", "licensed"),
    "ud_sentences": ("ud-sentences", "licensed"),
    "news_comments": ("news-comments", "crawl"),
    "nsmc_reviews": ("movie-reviews", "crawl"),
    "chatbot_qa": ("chatbot-qa", "crawl"),
}


def write_inputs(corpora: Path, folder: Path, per_source: int) -> Path:
    """One Parquet file per source (``id``, ``text``, ``license``), and a config over them; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    blocks = []
    for corpus, (name, kind) in SOURCES.items():
        table = pq.read_table(corpora / f"{corpus}.parquet", columns=["id", "text", "license"])
        n = table.num_rows if corpus == "longform_news_reviews" else min(per_source, table.num_rows)
        step = max(1, table.num_rows // n)
        table = table.take(pa.array(range(0, table.num_rows, step)[:n]))
        pq.write_table(table, folder / f"{name}.parquet")
        licence = table.column("license")[0].as_py()
        blocks.append(
            f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nlicense = "{licence}"\nformat = "parquet"\n'
            f'path = "{folder / (name + ".parquet")}"\nfields = {{ text = "text", id = "id" }}\n'
        )
    config = folder / "ablation.toml"
    config.write_text(
        f"""[run]
root = "{folder / 'out'}"
seed = 1234

[spark]
master = "local[2]"

{chr(10).join(blocks)}
[quality]
profile = "default"

[tokenizer]
sample_max_chars = 5000000

[ablate]
eval_sources = ["longform"]
eval_fraction = 0.3
""",
        encoding="utf-8",
    )
    return config


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="cpu", choices=["cpu", "gpu"])
    ap.add_argument("--arms", default="raw,default,lenient,korean,no-dedup,bpe")
    ap.add_argument("--seeds", type=int)
    ap.add_argument("--tokens", type=int)
    ap.add_argument("--per-source", type=int, default=4000)
    ap.add_argument("--out", default=str(ROOT / "out" / "bench-ablation"))
    ap.add_argument("--corpora", default=str(DEFAULT_CORPORA))
    ap.add_argument("--write", action="store_true", help="write the table into docs/ablation.md")
    args = ap.parse_args(argv)
    corpora = Path(args.corpora)
    if not (corpora / "longform_news_reviews.parquet").exists():
        print(f"skipped: {corpora} not found (the ablation bench reads ../shared/corpora)")
        return 0

    from kocorpus.pipelines.ablate import PRESETS, Ablation, parse_arm, render

    out = Path(args.out).resolve()
    config = write_inputs(corpora, out / "input", args.per_source)
    preset = PRESETS[args.preset]
    preset = replace(preset, tokens=args.tokens or preset.tokens, seeds=args.seeds or preset.seeds)
    arms = [parse_arm(a.strip(), {}) for a in args.arms.split(",")]
    ablation = Ablation(str(config), arms, preset, out, eval_sources=["longform"], eval_fraction=0.3,
                        progress=lambda m: print(m, file=sys.stderr, flush=True))  # fmt: skip
    report = ablation.run()
    table = render(report)
    command = f"python bench/ablation.py --preset {args.preset} --arms {args.arms} --per-source {args.per_source}" + (
        f" --seeds {args.seeds}" if args.seeds else "") + (f" --tokens {args.tokens}" if args.tokens else "")  # fmt: skip
    print(table)
    print(f"\n(command: {command}; figures in {out / 'ablation.json'})")
    if args.write:
        text = DOC.read_text(encoding="utf-8")
        i, j = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:i] + f"\n`{command}`\n\n{table}\n" + text[j:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

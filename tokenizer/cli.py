"""Subcommand ``train-tokenizer``: train the tokenizer on a sample of a run's cleaned documents."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("train-tokenizer", help="train the tokenizer on a sample of a run's cleaned documents")
    p.add_argument("--config", required=True)
    p.add_argument("--run-id", help="run whose cleaned documents to sample (default: the latest finished one)")
    p.add_argument("--input", help="Parquet file or folder of documents (doc_id, source, text) instead of a run")
    p.add_argument("--vocab-size", type=int)
    p.add_argument("--method", choices=["kiwi", "bpe"])
    p.add_argument("--out", help="output folder (default: <root>/tokenizers/<method>-<vocab>)")
    p.set_defaults(func=cmd_train_tokenizer)


def cmd_train_tokenizer(args) -> int:
    from pathlib import Path

    import pyarrow.dataset as ds

    from kocorpus.config import load_config
    from kocorpus.tokenizer.sample import draw_sample
    from kocorpus.tokenizer.train import TokenizerSettings, train_tokenizer

    cfg = load_config(args.config)
    settings = TokenizerSettings.from_config(cfg.section("tokenizer"))
    method = args.method or settings.method
    vocab = args.vocab_size or settings.vocab_size
    if args.input:
        source = Path(args.input)
    else:
        runs = Path(cfg.run.root) / "runs"
        candidates = [runs / args.run_id] if args.run_id else sorted(runs.glob("*"), key=lambda p: p.stat().st_mtime)
        done = [r for r in candidates if (r / "dedup" / "_SUCCESS.json").exists()]
        if not done:
            print(f"no finished run with cleaned documents under {runs}; run `kocorpus run` first or pass --input", file=sys.stderr)
            return 1
        source = done[-1] / "dedup" / "data" / "outcome=kept"
    table = ds.dataset(source).to_table(columns=["doc_id", "source", "text"])
    texts = draw_sample(table, max_chars=settings.sample_max_chars, seed=cfg.run.seed)
    out = Path(args.out) if args.out else Path(cfg.run.root) / "tokenizers" / f"{method}-{vocab}"
    info = train_tokenizer(texts, out, vocab_size=vocab, method=method, seed=cfg.run.seed, **settings.options)
    print(json.dumps({"tokenizer": info.path, "card": info.card_path, "vocab_size": info.vocab_size, "sha256": info.sha256}, indent=2))
    print(f"use it in runs with:  [tokenizer] path = \"{info.path}\"")
    return 0

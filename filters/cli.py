"""Subcommand ``train-quality-classifier``: a fastText quality model from configured sources."""

from __future__ import annotations

import os


def register(sub) -> None:
    p = sub.add_parser(
        "train-quality-classifier",
        help="train the optional fastText quality classifier from [quality.classifier] sources",
    )
    p.add_argument("--config", required=True)
    p.add_argument("--output", help="model file (default: [quality.classifier] output_path or <root>/models/quality.bin)")
    p.add_argument("--root", help="run root that holds models/ (default: [run] root)")
    p.set_defaults(func=cmd_train_quality_classifier)


def cmd_train_quality_classifier(args) -> int:
    from kocorpus.filters.quality_classifier import train_from_config
    from kocorpus.config import load_config

    overrides: dict = {}
    if args.root:
        overrides["run"] = {"root": os.path.abspath(args.root)}
    if args.output:
        overrides["quality"] = {"classifier": {"output_path": os.path.abspath(args.output)}}
    path = train_from_config(load_config(args.config, overrides))
    print(f"quality classifier: {path}")
    print(f'enable it with:  [quality] classifier_path = "{path}"')
    return 0

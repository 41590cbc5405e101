"""Subcommand ``train-quality-classifier``: a fastText quality model from configured sources."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "train-quality-classifier",
        help="train the optional fastText quality classifier from [quality.classifier] sources",
    )
    p.add_argument("--config", required=True)
    p.set_defaults(func=cmd_train_quality_classifier)


def cmd_train_quality_classifier(args) -> int:
    from kocorpus.filters.quality_classifier import train_from_config
    from kocorpus.pipelines.config import load_config

    path = train_from_config(load_config(args.config))
    print(f"quality classifier: {path}")
    print(f'enable it with:  [quality] classifier_path = "{path}"')
    return 0

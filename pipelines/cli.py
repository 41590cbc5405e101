"""The ``kocorpus`` command line: one console script, one TOML config.

Exit codes: 0 success; 1 the run itself failed; 2 bad usage or config.
Bad records are rejects, not failures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from pathlib import Path

from kocorpus import __version__, sample


#: Packages that add their own subcommands through ``register(subparsers)``.
COMMAND_PROVIDERS = (
    "kocorpus.tokenizer.cli",  # train-tokenizer
    "kocorpus.filters.cli",  # train-quality-classifier
    "kocorpus.training.cli",  # train
    "kocorpus.provenance.cli",  # verify-shards, publish, audit, takedown
)


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run-id", help="run identifier (default: <date>-<config hash>; the same id resumes a run)")
    p.add_argument("--master", help="Spark master URL (default from [spark] master: local[*])")
    p.add_argument("--stages", help="comma-separated subset of stages to run")
    p.add_argument("--force", action="store_true", help="redo stages even when they finished before")
    p.add_argument("--root", help="override [run] root (where runs are written)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark conf")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kocorpus", description="Build a Korean pretraining corpus with Spark.")
    parser.add_argument("--version", action="version", version=f"kocorpus {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run the whole pipeline on the bundled sample, then a short training run")
    _add_run_args(p)
    p.add_argument("--train-steps", type=int, default=30, help="steps of the short CPU training run (0 skips it)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="run the pipeline for a config")
    p.add_argument("--config", required=True, help="kocorpus.toml")
    _add_run_args(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "ablate",
        help="train the bundled model on several arms (filters, thresholds, tokenizers) of one input; compare bits per byte",
    )
    p.add_argument("--config", default=None, help="kocorpus.toml (default: the bundled sample's)")
    p.add_argument("--arms", help="comma-separated arms (default [ablate] arms, else raw,default): raw, default, lenient, "
                   "strict, korean, no-dedup, kiwi, bpe, classifier>=X, or [ablate.arm.NAME]")
    p.add_argument("--preset", choices=["cpu", "gpu"], help="cpu: tiny model (default); gpu: 124m on one GPU")
    p.add_argument("--seeds", type=int, help="training seeds per arm (default: the preset's)")
    p.add_argument("--tokens", type=int, help="training tokens per arm and seed (default: the preset's)")
    p.add_argument("--out", default="out/ablation", help="folder for the runs, models and the table (default out/ablation)")
    p.set_defaults(func=cmd_ablate)

    p = sub.add_parser("report", help="(re)write a run's provenance report: JSON, HTML, Croissant")
    p.add_argument("run_dir", help="<root>/runs/<run_id>")
    p.add_argument("--config", help="config file of the run (default: the one recorded in run.json)")
    p.set_defaults(func=cmd_report)

    for module in COMMAND_PROVIDERS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue
            raise
        mod.register(sub)
    return parser


def _load(args, config_path: Path):
    from kocorpus.config import load_config

    overrides: dict = {}
    if getattr(args, "root", None):
        overrides.setdefault("run", {})["root"] = str(Path(args.root).resolve())
    conf = {}
    for kv in getattr(args, "conf", []) or []:
        k, _, v = kv.partition("=")
        conf[k] = v
    if conf:
        overrides.setdefault("spark", {})["conf"] = conf
    return load_config(config_path, overrides)


def _run(args, cfg):
    from kocorpus.pipelines.pipeline import run_pipeline

    stages = [s.strip() for s in args.stages.split(",")] if args.stages else None
    ctx = run_pipeline(cfg, run_id=args.run_id, stages=stages, force=args.force, master=args.master)
    _print_outputs(ctx)
    return ctx


def _print_outputs(ctx) -> None:
    from kocorpus.provenance.summary import outputs

    print("\noutputs:")
    for name, path in outputs(ctx.layout).items():
        print(f"  {name:18s} {path}")
    summary = ctx.layout.stage_dir("report") / "summary.json"
    if summary.exists():
        s = json.loads(summary.read_text())
        print(
            f"\ndocuments: {s['documents_in']} in, {s['documents_kept']} kept, {s['documents_rejected']} rejected"
            f" (accounting {'holds' if s['accounting_holds'] else 'BROKEN'}); tokens in shards: {s['tokens']}"
        )


def cmd_run(args) -> int:
    cfg = _load(args, Path(args.config))
    _run(args, cfg)
    return 0


def cmd_demo(args) -> int:
    args.root = args.root or "out"
    args.run_id = args.run_id or "demo"
    cfg = _load(args, sample.config_path())
    ctx = _run(args, cfg)
    if args.train_steps > 0:
        try:
            from kocorpus.training.train import train
        except ModuleNotFoundError:
            print("\ntraining: the `train` extra is not installed (pip install 'kocorpus[train]')")
            return 0
        out = ctx.layout.run_dir / "train"
        print(f"\ntraining the tiny model for {args.train_steps} steps on the demo's shards (CPU) -> {out}")
        result = train(str(ctx.layout.shard_manifest), "tiny", args.train_steps, str(out))
        losses = result.get("losses") or []
        if losses:
            print(f"loss: first {losses[0]:.3f} -> last {losses[-1]:.3f}")
    return 0


def cmd_ablate(args) -> int:
    from dataclasses import replace

    from kocorpus.config import load_config
    from kocorpus.pipelines.ablate import PRESETS, Ablation, parse_arm, render

    config_path = args.config or str(sample.config_path())
    section = load_config(config_path).section("ablate")
    preset = PRESETS[args.preset or section.get("preset", "cpu")]
    preset = replace(preset, tokens=args.tokens or section.get("tokens", preset.tokens), seeds=args.seeds or section.get("seeds", preset.seeds))
    names = [a.strip() for a in args.arms.split(",")] if args.arms else section.get("arms", ["raw", "default"])
    try:
        arms = [parse_arm(n, section.get("arm", {})) for n in names]
    except ValueError as e:
        print(f"kocorpus ablate: {e}", file=sys.stderr)
        return 2
    ablation = Ablation(
        config_path, arms, preset, Path(args.out).resolve(),
        eval_sources=section.get("eval_sources", []), eval_fraction=section.get("eval_fraction", 0.1),
        eval_path=section.get("eval_path"), max_eval_texts=section.get("max_eval_texts", 2000),
    )  # fmt: skip
    report = ablation.run()
    print("\n" + render(report))
    print(f"\ntable: {ablation.out / 'ablation.md'}  (all figures: {ablation.out / 'ablation.json'})")
    return 0


def cmd_report(args) -> int:
    from kocorpus.config import load_config, parse_config
    from kocorpus.layout import RunLayout
    from kocorpus.pipelines.pipeline import run_pipeline

    lay = RunLayout.of(args.run_dir)
    if args.config:
        cfg = load_config(args.config)
    else:
        recorded = json.loads(lay.run_manifest.read_text())["config"]
        cfg = parse_config(recorded)
    cfg.run.root = lay.root
    run_pipeline(cfg, run_id=lay.run_id, stages=["report"], force=["report"])
    print(f"report: {lay.stage_dir('report') / 'report.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    from kocorpus.config import ConfigError
    from kocorpus.pipelines.session import JavaMissingError
    from kocorpus.storage import StorageError

    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"kocorpus: config error: {e}", file=sys.stderr)
        return 2
    except JavaMissingError as e:
        print(f"kocorpus: {e}", file=sys.stderr)
        return 2
    except StorageError as e:  # names the URL and endpoint, never a secret
        print(f"kocorpus: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

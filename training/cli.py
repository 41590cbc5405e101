"""Subcommand ``train``: train a decoder on a shard manifest (local or ``s3://``).

Options come from, in increasing precedence: ``TrainOptions`` defaults, the
``[train]`` table of ``--config FILE`` (a kocorpus.toml, or a file whose top
level holds the keys), then flags. ``manifest``, ``preset``, ``steps`` and
``out`` may be given in the config file too. Under ``torchrun`` every rank runs
this same command.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tomllib

from .model_config import PRESETS

RUN_KEYS = ("manifest", "preset", "steps", "out")


def _bool(text: str) -> bool:
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"not a yes/no value: {text!r}")


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a decoder-only model on token shards (CPU, one GPU, or many GPUs under torchrun)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--manifest", help="manifest.json of the shards (path or s3:// URL, or its folder)")
    p.add_argument("--preset", choices=sorted(PRESETS), help="model size")
    p.add_argument("--steps", type=int, help="optimizer steps (the learning-rate schedule's length)")
    p.add_argument("--out", help="folder for checkpoints and metrics; a folder with checkpoints resumes")
    p.add_argument("--config", help="TOML file with a [train] table of options")
    p.add_argument("--micro-batch", type=int, help="rows per micro-batch per GPU")
    p.add_argument("--grad-accum", type=int, help="micro-batches per optimizer step")
    p.add_argument("--lr", type=float, help="peak learning rate (default per preset)")
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"])
    p.add_argument("--compile", type=_bool, metavar="yes|no", help="torch.compile the model (default: on CUDA)")
    p.add_argument("--doc-mask", type=_bool, metavar="yes|no", help="attend only within documents")
    p.add_argument("--num-workers", type=int, help="DataLoader worker processes per GPU")
    p.add_argument("--cache-dir", help="local folder for copies of remote shards")
    p.add_argument("--val-manifest", help="separate validation shards (default: hold out the manifest's last rows)")
    p.add_argument("--eval-every", type=int)
    p.add_argument("--ckpt-every", type=int)
    p.add_argument("--log-every", type=int)
    p.add_argument("--stop-after", type=int, help="stop (with a checkpoint) at this step; resume later")
    p.add_argument("--no-resume", dest="resume", action="store_false", default=None, help="start over even if OUT has checkpoints")
    p.add_argument("--cpu-threads", type=int)
    p.add_argument("--peak-tflops", type=float, help="device peak (dense bf16) for MFU when not known")
    p.set_defaults(func=cmd_train)


def _config_options(path: str) -> dict:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    return dict(doc.get("train", doc if "run" not in doc else {}))


def cmd_train(args) -> int:
    try:
        from .train import TrainOptions, summary, train
    except ModuleNotFoundError as e:
        if e.name != "torch" and not (e.name or "").startswith("torch."):
            raise
        print("kocorpus train: needs PyTorch, which the `train` extra installs: pip install 'kocorpus[train]'", file=sys.stderr)
        return 2

    options = _config_options(args.config) if args.config else {}
    run = {k: options.pop(k, None) for k in RUN_KEYS}
    for k in RUN_KEYS:
        if getattr(args, k, None) is not None:
            run[k] = getattr(args, k)
    missing = [f"--{k}" for k in RUN_KEYS if run[k] is None]
    if missing:
        print(f"kocorpus train: missing {', '.join(missing)} (flags or the config's [train] table)", file=sys.stderr)
        return 2
    for f in dataclasses.fields(TrainOptions):
        value = getattr(args, f.name, None)
        if value is not None:
            options[f.name] = value
    try:
        TrainOptions.from_dict(options)
    except TypeError as e:
        print(f"kocorpus train: {e}", file=sys.stderr)
        return 2
    result = train(run["manifest"], run["preset"], int(run["steps"]), run["out"], **options)
    if result.get("rank", 0) == 0:
        print(summary(result))
        print(f"checkpoint: {result['checkpoint']}")
    return 0

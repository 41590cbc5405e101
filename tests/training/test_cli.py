import argparse
import json

import pytest
from shard_fixtures import random_docs, write_real_shards

from kocorpus.training.cli import register


def parse(argv):
    parser = argparse.ArgumentParser(prog="kocorpus")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture
def manifest(tmp_path):
    return write_real_shards(tmp_path / "ds", random_docs(80, seed=5), seq_len=16, rows_per_shard=16)


def test_train_command_with_a_config_file(manifest, tmp_path, capsys):
    config = tmp_path / "kocorpus.toml"
    config.write_text(
        "[run]\nroot = 'out'\n\n[train]\n"
        f"manifest = '{manifest}'\npreset = 'tiny'\nsteps = 50\nmicro_batch = 4\nlog_every = 2\n"
        "eval_every = 0\ncpu_threads = 1\nprogress = false\n"
    )
    out = tmp_path / "run"
    args = parse(["train", "--config", str(config), "--steps", "4", "--out", str(out), "--micro-batch", "2"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "step 4/4" in printed and "checkpoint:" in printed
    metrics = json.load(open(out / "metrics.json"))
    assert metrics["steps"] == 4  # the flag beat the config's 50
    assert metrics["tokens_per_step"] == 2 * 16  # and --micro-batch beat micro_batch = 4


def test_train_command_needs_its_inputs(tmp_path, capsys):
    args = parse(["train", "--preset", "tiny", "--steps", "3"])
    assert args.func(args) == 2
    assert "--manifest" in capsys.readouterr().err


def test_unknown_config_key_is_reported(manifest, tmp_path, capsys):
    config = tmp_path / "t.toml"
    config.write_text("[train]\nmicro_batches = 3\n")
    args = parse(["train", "--config", str(config), "--manifest", manifest, "--preset", "tiny", "--steps", "1", "--out", str(tmp_path / "o")])
    assert args.func(args) == 2
    assert "micro_batches" in capsys.readouterr().err


def test_no_resume_refuses_a_folder_with_checkpoints(manifest, tmp_path):
    base = ["train", "--manifest", manifest, "--preset", "tiny", "--steps", "2", "--out", str(tmp_path / "o"), "--cpu-threads", "1"]
    args = parse(base)
    assert args.func(args) == 0
    args = parse(base + ["--no-resume"])
    with pytest.raises(ValueError, match="already holds checkpoints"):
        args.func(args)

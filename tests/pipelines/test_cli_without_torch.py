"""A data team without the `train` extra can run every command but `train`, which names the extra."""

import subprocess
import sys

# Runs the CLI in a fresh interpreter where `import torch` fails, as on a machine without the extra.
NO_TORCH = (
    "import sys; sys.modules['torch'] = None\n"
    "from kocorpus.pipelines.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def kocorpus_without_torch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NO_TORCH, *args], capture_output=True, text=True, timeout=120)


def test_help_works_without_torch():
    r = kocorpus_without_torch("--help")
    assert r.returncode == 0, r.stderr
    for command in ("run", "demo", "report", "verify-shards", "takedown", "train"):
        assert command in r.stdout


def test_train_without_torch_names_the_extra(tmp_path):
    r = kocorpus_without_torch("train", "--manifest", str(tmp_path), "--preset", "tiny", "--steps", "1", "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert "kocorpus[train]" in r.stderr and "Traceback" not in r.stderr


def test_train_help_lists_the_presets_without_torch():
    r = kocorpus_without_torch("train", "--help")
    assert r.returncode == 0, r.stderr
    assert "124m" in r.stdout and "tiny" in r.stdout

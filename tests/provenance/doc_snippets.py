"""The code blocks of docs/training.md that the interop tests run, so the docs show exactly what is tested.

A block is marked by the HTML comment ``<!-- tested: NAME ... -->`` on the line before its fence.
``demo_folder`` lays out a folder in which the docs' paths (``out/runs/demo/...``) name a real run.
"""

from __future__ import annotations

import shutil
import re
import shlex
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "training.md"
_BLOCK = re.compile(r"<!-- tested: (?P<name>[\w-]+)[^>]*-->\n```(?P<lang>\w+)\n(?P<code>.*?)\n```", re.S)


def snippet(name: str) -> str:
    """The code of the block marked ``name``."""
    found = {m["name"]: m["code"] for m in _BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert name in found, f"docs/training.md has no block marked `tested: {name}` (has {sorted(found)})"
    return found[name]


def cli_lines(name: str) -> list[list[str]]:
    """The ``kocorpus ...`` command lines of a shell block, as argument lists for ``kocorpus.pipelines.cli.main``."""
    lines = [shlex.split(line) for line in snippet(name).splitlines() if line.startswith("kocorpus ")]
    assert lines, name
    return [args[1:] for args in lines]


def run_python(name: str, namespace: dict | None = None) -> dict:
    """Execute the block ``name`` (in the current folder) and return its namespace."""
    ns = {"__name__": f"doc_snippet_{name}"} if namespace is None else namespace
    exec(compile(snippet(name), f"docs/training.md:{name}", "exec"), ns)
    return ns


def demo_folder(base: Path, run_dir: Path) -> Path:
    """``base/out/runs/demo``: a copy of ``run_dir``, so the docs' relative paths work from ``base``.

    A copy, not a link: exports record themselves in the dataset's ``publications.json``,
    and the shared run must not carry one test's exports into another."""
    copy = base / "out" / "runs" / "demo"
    if not copy.exists():
        shutil.copytree(run_dir, copy)
    return base

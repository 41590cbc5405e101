"""The layout's import rule (docs/architecture.md), checked on the source text of every module.

- the root contracts (``kocorpus/*.py``) import no subpackage of kocorpus;
- no module outside ``pipelines/`` imports ``kocorpus.pipelines``;
- the plain-Python packages (``sources``, ``filters``, ``tokenizer``, ``provenance``) import no Spark.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ["kocorpus", "sources", "filters", "dedup", "tokenizer", "provenance", "training", "orchestration", "pipelines"]
SUBPACKAGES = {f"kocorpus.{p}" for p in PACKAGES if p != "kocorpus"}
PLAIN_PYTHON = ["sources", "filters", "tokenizer", "provenance"]


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved within its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = "kocorpus" if path.parent.name == "kocorpus" else f"kocorpus.{path.parent.name}"
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).glob("*.py"))


def test_every_package_has_modules():
    for p in PACKAGES:
        assert modules(p), p


@pytest.mark.parametrize("path", modules("kocorpus"), ids=lambda p: p.name)
def test_root_contracts_import_no_subpackage(path):
    if path.name == "__main__.py":  # the `python -m kocorpus` entry point starts the CLI
        return
    bad = {m for m in imports(path) if any(m == s or m.startswith(s + ".") for s in SUBPACKAGES)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", [p for f in PACKAGES if f != "pipelines" for p in modules(f)], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nothing_outside_pipelines_imports_it(path):
    if path.parent.name == "kocorpus" and path.name == "__main__.py":
        return
    bad = {m for m in imports(path) if m == "kocorpus.pipelines" or m.startswith("kocorpus.pipelines.")}
    assert not bad, f"{path.parent.name}/{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", [p for f in PLAIN_PYTHON for p in modules(f)], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_plain_python_packages_import_no_spark(path):
    bad = {m for m in imports(path) if m == "pyspark" or m.startswith("pyspark.")}
    assert not bad, f"{path.parent.name}/{path.name} imports {sorted(bad)}"


def test_the_rule_catches_an_upward_import(tmp_path):
    bad = tmp_path / "filters" / "x.py"
    bad.parent.mkdir()
    bad.write_text("from ..pipelines import stages\nimport kocorpus.pipelines.cli\n")
    assert {"kocorpus.pipelines", "kocorpus.pipelines.cli"} <= imports(bad)

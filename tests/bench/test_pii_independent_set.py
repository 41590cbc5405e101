"""The independent PII comparison set stays independent of the redactor, and its labels are sound."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
MODULE = BENCH / "pii_independent.py"
#: What the independent set may import: the standard library and pyarrow, nothing of kocorpus or of the other bench modules.
ALLOWED = {"__future__", "random", "re", "dataclasses", "pathlib", "pyarrow", "pyarrow.parquet"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            if node.module == "kocorpus":
                names.update(f"kocorpus.{a.name}" for a in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.add("__import__")  # a dynamic import would hide what it loads
    return names


def test_independent_set_imports_nothing_from_the_redactor():
    names = imported_modules(MODULE)
    assert not [n for n in names if n.startswith("kocorpus")], names
    assert names <= ALLOWED, names - ALLOWED


def test_the_import_check_sees_a_redactor_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from kocorpus import filters\nimport importlib\n")
    assert "kocorpus.filters" in imported_modules(bad)


def test_building_the_set_loads_no_kocorpus_module():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import pii_independent as I;"
        "docs = I.build_set(2, 3, sentences=['오늘은 날씨가 맑습니다.', '회의는 오후에 열립니다.', '다음 주에 다시 만나요.']);"
        "assert docs; print(sorted(m for m in sys.modules if m.startswith('kocorpus')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(BENCH)], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_labelled_spans_hold_their_values():
    sys.path.insert(0, str(BENCH))
    try:
        import pii_independent as indep
    finally:
        sys.path.remove(str(BENCH))
    docs = indep.build_set(3, 5, sentences=["오늘은 날씨가 맑습니다.", "회의는 오후에 열립니다.", "다음 주에 다시 만나요."])
    forms = {(t, f) for t in indep.TYPES for f in indep.FORMS[t]}
    assert {d.form for d in docs if d.form} == forms
    for d in docs:
        spans = sorted(d.spans)
        for (s, e, t, f), nxt in zip(spans, spans[1:] + [None]):
            assert 0 <= s < e <= len(d.text) and d.text[s:e].strip() == d.text[s:e]
            assert nxt is None or e <= nxt[0]
            assert t in indep.TYPES and f in indep.FORMS[t]
        for s, e, _ in d.keep:
            assert not any(s < ge and gs < e for gs, ge, _, _ in d.spans)
    # the check digits follow the public definitions
    assert indep.luhn_digit("411111111111111") == "1"
    assert indep.registration_digit("900101123456", False) == str((11 - sum(int(c) * w for c, w in zip("900101123456", (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5))) % 11) % 10)
    assert indep.business_digit("220816251") == "7"

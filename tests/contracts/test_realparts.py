"""In CI a missing real part fails its test; elsewhere it skips with the reason."""

import subprocess
import sys
import textwrap

CASE = textwrap.dedent('''
    from realparts import require
    def test_needs_a_part():
        require(False, "the part is not installed")
''')


def run(tmp_path, ci: str | None):
    (tmp_path / "test_case.py").write_text(CASE)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[1])}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_outside_ci_a_missing_part_skips_with_its_reason(tmp_path):
    r = run(tmp_path, None)
    assert r.returncode == 0 and "1 skipped" in r.stdout and "the part is not installed" in r.stdout


def test_in_ci_a_missing_part_fails(tmp_path):
    r = run(tmp_path, "true")
    assert r.returncode == 1 and "1 failed" in r.stdout and "required in CI: the part is not installed" in r.stdout

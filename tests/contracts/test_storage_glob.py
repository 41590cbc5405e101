"""Source globs: the kept glob semantics (wcmatch), negated classes included."""

from hypothesis import given
from hypothesis import strategies as st

from kocorpus import storage


def _touch(root, *names):
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")


def _names(pattern):
    return [p.rsplit("/", 1)[-1] for p, _ in storage.list_files(pattern)]


def test_negated_class_excludes_the_character(tmp_path):
    _touch(tmp_path, "a.jsonl", "_tmp.jsonl", "!bang.jsonl", "b.jsonl")
    # `_tmp.jsonl` starts with `_` (also skipped as a hidden file); `!bang.jsonl` must not match `[!_]`'s negation wrongly
    assert _names(f"{tmp_path}/[!_]*.jsonl") == ["!bang.jsonl", "a.jsonl", "b.jsonl"]
    assert _names(f"{tmp_path}/[!ab]*.jsonl") == ["!bang.jsonl"]
    assert _names(f"{tmp_path}/[ab].jsonl") == ["a.jsonl", "b.jsonl"]


def test_globstar_and_star_do_not_cross_folders(tmp_path):
    _touch(tmp_path, "x/2026-01-01/a.jsonl", "x/2026-01-02/deep/b.jsonl", "x/c.jsonl")
    assert _names(f"{tmp_path}/x/*.jsonl") == ["c.jsonl"]
    assert _names(f"{tmp_path}/x/**/*.jsonl") == ["a.jsonl", "b.jsonl", "c.jsonl"]
    assert _names(f"{tmp_path}/x/*/a.jsonl") == ["a.jsonl"]
    assert _names(f"{tmp_path}/x/2026-01-0[!1]/**/*.jsonl") == ["b.jsonl"]


@given(st.sets(st.text(alphabet="ab_!x", min_size=1, max_size=4), min_size=1, max_size=6))
def test_negated_class_lists_exactly_the_names_without_the_character(tmp_path_factory, stems):
    root = tmp_path_factory.mktemp("glob")
    _touch(root, *(f"{s}.txt" for s in stems))
    expected = sorted(f"{s}.txt" for s in stems if not s.startswith(("_", "x")))
    assert _names(f"{root}/[!x]*.txt") == expected  # names starting with `_` are hidden files, never listed

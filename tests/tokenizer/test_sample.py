"""The tokenizer's training sample: bounded, deterministic, independent of row order, stratified by source."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.tokenizer.sample import draw_sample

DOCS = st.lists(
    st.tuples(st.sampled_from(["news", "web", "forum"]), st.text("가나다라마 바사", min_size=0, max_size=60)),
    min_size=0,
    max_size=80,
)


def _table(rows) -> pa.Table:
    return pa.table(
        {
            "doc_id": pa.array([f"d{i}" for i in range(len(rows))], pa.string()),
            "source": pa.array([s for s, _ in rows], pa.string()),
            "text": pa.array([t for _, t in rows], pa.string()),
        }
    )


@settings(max_examples=200, deadline=None)
@given(rows=DOCS, budget=st.integers(0, 3000), seed=st.integers(0, 5))
def test_sample_is_bounded_deterministic_and_order_free(rows, budget, seed):
    table = _table(rows)
    sample = draw_sample(table, max_chars=budget, seed=seed)
    assert sum(len(t) for t in sample) <= budget
    assert draw_sample(table, max_chars=budget, seed=seed) == sample
    shuffled = table.take(pa.array(random.Random(seed).sample(range(table.num_rows), table.num_rows), pa.int64()))
    assert draw_sample(shuffled, max_chars=budget, seed=seed) == sample
    # everything fits: the whole (non-empty) corpus comes back
    total = sum(len(t) for _, t in rows)
    if total <= budget // 3:
        assert sorted(sample) == sorted(t for _, t in rows if t)


def test_each_source_gets_its_share():
    rows = [("big", "가" * 10)] * 500 + [("small", "나" * 10)] * 20 + [("mid", "다" * 10)] * 100
    sample = draw_sample(_table(rows), max_chars=1500, seed=0)
    by = {c: sum(len(t) for t in sample if t[0] == c) for c in "가나다"}
    assert by["나"] == 200  # the small source gives all it has ...
    assert by["다"] == 650 and by["가"] == 650  # ... and its unused share goes to the others
    other = draw_sample(_table(rows), max_chars=1500, seed=1)  # another seed: other documents and order, same shares
    assert sorted(other) == sorted(sample) and other != sample

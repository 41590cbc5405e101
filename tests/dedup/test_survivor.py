import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.dedup.survivor import DEFAULT_SURVIVOR_ORDER, SurvivorOrder, parse_criterion

row_st = st.fixed_dictionaries(
    {
        "source_kind": st.sampled_from(["crawl", "licensed", None]),
        "quality_score": st.one_of(st.none(), st.sampled_from([0.1, 0.5, 0.5, 0.9])),
        "crawl_date": st.one_of(st.none(), st.sampled_from(["2020-01-01", "2021-06-30", "2024-12-31"])),
    }
)


def _expected_first(rows):
    """The default rule written out directly, independent of SurvivorOrder."""
    def better(a, b):
        for key, pick in (
            (lambda r: r["source_kind"] == "licensed", lambda x, y: x and not y),
        ):
            if key(a) != key(b):
                return pick(key(a), key(b))
        qa, qb = a["quality_score"], b["quality_score"]
        if qa != qb:
            if qa is None or qb is None:
                return qb is None
            return qa > qb
        da, db = a["crawl_date"], b["crawl_date"]
        if da != db:
            if da is None or db is None:
                return db is None
            return da < db
        return a["doc_id"] < b["doc_id"]

    best = rows[0]
    for r in rows[1:]:
        if better(r, best):
            best = r
    return best


@given(st.lists(row_st, min_size=1, max_size=30))
def test_python_key_implements_default_rule(rows):
    rows = [dict(r, doc_id=f"d{i:03d}") for i, r in enumerate(rows)]
    random.Random(len(rows)).shuffle(rows)
    order = SurvivorOrder()
    assert min(rows, key=order.key)["doc_id"] == _expected_first(rows)["doc_id"]


def test_licensed_beats_higher_quality_and_nulls_sort_last():
    order = SurvivorOrder()
    rows = [
        {"doc_id": "a", "source_kind": "crawl", "quality_score": 0.99, "crawl_date": "2000-01-01"},
        {"doc_id": "b", "source_kind": "licensed", "quality_score": None, "crawl_date": None},
    ]
    assert min(rows, key=order.key)["doc_id"] == "b"
    rows = [
        {"doc_id": "a", "source_kind": "crawl", "quality_score": None},
        {"doc_id": "b", "source_kind": "crawl", "quality_score": 0.01},
    ]
    assert min(rows, key=order.key)["doc_id"] == "b"
    rows = [
        {"doc_id": "a", "source_kind": "crawl", "quality_score": float("nan")},
        {"doc_id": "b", "source_kind": "crawl", "quality_score": 0.01},
    ]
    assert min(rows, key=order.key)["doc_id"] == "b"


def test_order_is_configurable_and_always_total():
    order = SurvivorOrder(["crawl_date desc"])
    assert order.specs() == ["crawl_date desc", "doc_id asc"]
    rows = [{"doc_id": "b", "crawl_date": "2020-01-01"}, {"doc_id": "a", "crawl_date": "2020-01-01"},
            {"doc_id": "c", "crawl_date": "2019-01-01"}]
    assert [r["doc_id"] for r in sorted(rows, key=order.key)] == ["a", "b", "c"]
    assert SurvivorOrder.from_config(None) == SurvivorOrder(DEFAULT_SURVIVOR_ORDER)


@pytest.mark.parametrize("bad", ["", "quality_score up", "licensed desc", "a b c"])
def test_bad_criteria_are_refused(bad):
    with pytest.raises(ValueError):
        parse_criterion(bad)


@settings(max_examples=5, deadline=None)
@given(st.lists(row_st, min_size=2, max_size=40))
def test_spark_sort_matches_python_key(spark, rows):
    rows = [dict(r, doc_id=f"d{i:03d}") for i, r in enumerate(rows)]
    order = SurvivorOrder()
    df = spark.createDataFrame(
        [(r["doc_id"], r["source_kind"], r["quality_score"], r["crawl_date"]) for r in rows],
        "doc_id string, source_kind string, quality_score float, crawl_date string",
    )
    got = [r["doc_id"] for r in df.orderBy(*order.spark_sort()).collect()]
    assert got == [r["doc_id"] for r in sorted(rows, key=order.key)]

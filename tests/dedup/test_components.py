import random

import pytest

from kocorpus.dedup.components import ComponentsDidNotConverge, connected_components


def union_find(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def run(spark, edges, tmp_path, **kw):
    df = spark.createDataFrame(edges, "src string, dst string")
    rows = connected_components(spark, df, str(tmp_path), **kw).collect()
    got = {r["node"]: r["component"] for r in rows}
    assert len(got) == len(rows), "a node appears twice"
    return got


def test_long_chain_terminates_in_one_component(spark, tmp_path):
    # ids in shuffled order along the chain, so no step is trivially sorted
    ids = [f"n{i:05d}" for i in range(400)]
    random.Random(1).shuffle(ids)
    edges = list(zip(ids, ids[1:]))
    got = run(spark, edges, tmp_path, max_iterations=30)
    assert set(got) == set(ids) and set(got.values()) == {min(ids)}


def test_large_star_and_random_graph_match_union_find(spark, tmp_path):
    rnd = random.Random(7)
    star = [(f"s{i:04d}", "s0500") for i in range(1000) if i != 500]
    nodes = [f"r{i:03d}" for i in range(300)]
    rand = [(rnd.choice(nodes), rnd.choice(nodes)) for _ in range(250)]
    edges = star + rand + [("x", "x")]
    got = run(spark, edges, tmp_path)
    expected = union_find([e for e in edges if e[0] != e[1]])  # a self loop alone makes no component
    assert got == expected
    assert set(v for k, v in got.items() if k.startswith("s")) == {"s0000"}


def test_gives_up_after_max_iterations(spark, tmp_path):
    ids = [f"n{i:03d}" for i in range(64)]
    random.Random(2).shuffle(ids)
    with pytest.raises(ComponentsDidNotConverge):
        run(spark, list(zip(ids, ids[1:])), tmp_path, max_iterations=1)

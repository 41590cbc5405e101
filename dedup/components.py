"""Connected components of an undirected graph in Spark, without GraphFrames.

The large-star / small-star algorithm (Kiveris et al., "Connected Components
in MapReduce and Beyond", SoCC 2014) on a DataFrame of edges ``(src, dst)``:

- *large-star*: every node ``u`` links each larger neighbour to ``m(u)``, the
  smallest of ``u`` and its neighbours;
- *small-star*: every node ``u`` links itself and its smaller neighbours to
  the smallest of them.

Both steps keep the components and shrink the graph toward one star per
component centred on its smallest node; the loop stops when the edges form
such stars (every edge ``(v, c)`` has ``c < v``, each ``v`` appears once as a
source and no centre is a source). It needs O(log^2 n) rounds, so chains and
large stars both terminate quickly. Each round's edges are written as
Parquet under ``checkpoint_dir`` and read back, which cuts the lineage.

Node ids are strings compared lexicographically; the component id is the
smallest node id of the component.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


class ComponentsDidNotConverge(RuntimeError):
    pass


def _canonical(edges: DataFrame) -> DataFrame:
    """Edges as (larger, smaller), no self loops, no duplicates."""
    return (
        edges.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .where(F.col("src") != F.col("dst"))
        .distinct()
    )


def _large_star(e: DataFrame) -> DataFrame:
    both = e.unionByName(e.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    m = both.groupBy("src").agg(F.least(F.first("src"), F.min("dst")).alias("m"))
    out = both.join(m, "src").where(F.col("dst") > F.col("src")).select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    return _canonical(out)


def _small_star(e: DataFrame) -> DataFrame:
    # e is canonical: src > dst, so every dst is a smaller neighbour of src.
    m = e.groupBy("src").agg(F.min("dst").alias("m"))
    leaves = e.join(m, "src").select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    centre = m.select(F.col("src"), F.col("m").alias("dst"))
    return _canonical(leaves.unionByName(centre))


def _is_star_forest(e: DataFrame) -> bool:
    row = e.agg(F.count("*").alias("n"), F.countDistinct("src").alias("srcs")).collect()[0]
    if row["n"] != row["srcs"]:
        return False
    centres_that_are_leaves = e.select(F.col("dst").alias("src")).distinct().join(e.select("src"), "src").limit(1).count()
    return centres_that_are_leaves == 0


def connected_components(
    spark: SparkSession,
    edges: DataFrame,
    checkpoint_dir: str,
    max_iterations: int = 64,
    name: str = "components",
) -> DataFrame:
    """``(node, component)`` for every node of ``edges`` (columns ``src``, ``dst``; self loops ignored).

    ``component`` is the smallest node id of the node's component (a node is
    its own component's id when it is the smallest). Raises
    :class:`ComponentsDidNotConverge` after ``max_iterations`` rounds.
    """
    base = f"{checkpoint_dir.rstrip('/')}/{name}"
    e = _canonical(edges)
    e.write.mode("overwrite").parquet(f"{base}/round-0")
    e = spark.read.parquet(f"{base}/round-0")
    for i in range(1, max_iterations + 1):
        if _is_star_forest(e):
            break
        e = _small_star(_large_star(e))
        path = f"{base}/round-{i}"
        e.write.mode("overwrite").parquet(path)
        e = spark.read.parquet(path)
    else:
        if not _is_star_forest(e):
            raise ComponentsDidNotConverge(f"connected components did not converge in {max_iterations} rounds")
    leaves = e.select(F.col("src").alias("node"), F.col("dst").alias("component"))
    centres = e.select(F.col("dst").alias("node"), F.col("dst").alias("component")).distinct()
    return leaves.unionByName(centres)

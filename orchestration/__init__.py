"""kocorpus.orchestration: what a nightly run does and when (plan, gates, versioned publishing, Dagster assets).

The stage jobs themselves run on Spark in the ``pipelines`` package; its module
``pipelines/nightly.py`` hands them to these definitions and is the Dagster code
location (see docs/nightly.md for the ``dagster dev -m`` command).
"""

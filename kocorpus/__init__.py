"""kocorpus: a Spark pipeline that builds a Korean pretraining corpus.

The repository's top-level folders install as subpackages of this one:
``kocorpus.pipelines`` (Spark side), ``kocorpus.filters``, ``kocorpus.dedup``,
``kocorpus.tokenizer``, ``kocorpus.training``, ``kocorpus.orchestration``.
"""

__version__ = "0.1.0"

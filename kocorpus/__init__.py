"""kocorpus: a Spark pipeline that builds a Korean pretraining corpus.

This root package holds the shared contracts that every folder imports and
that import none of them: ``schemas`` (document, reject and stage-output
tables), ``layout`` (where a run writes), ``storage`` (local and ``s3://``),
``config`` (the validated TOML file) and ``files`` (hashing, atomic writes).
The repository's top-level folders install as its subpackages: ``sources``,
``filters``, ``dedup``, ``tokenizer``, ``provenance``, ``training``,
``orchestration`` and ``pipelines`` (the Spark side and the CLI); see
docs/architecture.md.
"""

__version__ = "0.1.0"

"""kocorpus.dedup: exact and MinHash near-duplicate removal, and the cross-run index.

Entry points: :func:`kocorpus.dedup.stage.dedup_documents` (the pipeline stage) and
:func:`kocorpus.dedup.index.append_to_index` (after a run is published). See docs/dedup.md.
"""

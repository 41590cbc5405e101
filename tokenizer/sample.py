"""Deterministic, bounded, source-stratified sampling of training text for the tokenizer."""

from __future__ import annotations

import hashlib

import pyarrow as pa


def draw_sample(table: pa.Table | pa.RecordBatch, *, max_chars: int, seed: int) -> list[str]:
    """Texts drawn from ``table`` (columns doc_id, source, text), at most ``max_chars`` characters.

    Each source gets an equal share of the budget (a source with less text
    gives its unused share to the others); within a source, documents are
    taken in the order of ``sha256(seed:doc_id)``. The result is sorted by
    that key too, so the same table and seed always give the same list.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    ids = table.column("doc_id").to_pylist()
    sources = table.column("source").to_pylist()
    texts = table.column("text").to_pylist()
    by_source: dict[str, list[tuple[str, str]]] = {}
    for d, s, t in zip(ids, sources, texts):
        if t:
            key = hashlib.sha256(f"{seed}:{d}".encode()).hexdigest()
            by_source.setdefault(s or "", []).append((key, t))
    for docs in by_source.values():
        docs.sort()
    budget = max_chars
    # smallest source first (it may leave part of its share to the others); ties by name, so the
    # result never depends on the order rows arrive in
    remaining = sorted(by_source, key=lambda s: (sum(len(t) for _, t in by_source[s]), s))
    chosen: list[tuple[str, str]] = []
    while remaining:
        share = budget // len(remaining)
        src = remaining.pop(0)
        used = 0
        for key, text in by_source[src]:
            if used + len(text) > share:
                if used == 0 and share > 0:  # one long document: take its prefix
                    chosen.append((key, text[:share]))
                    used = share
                break
            chosen.append((key, text))
            used += len(text)
        budget -= used
    chosen.sort()
    return [t for _, t in chosen]

"""Batch pre-screen for PII: which rows of a text column may hold a candidate.

One RE2 search runs over the column's UTF-8 data buffer as it lies in memory (no Python string
per row): after a match in row ``i`` the search goes on from the start of row ``i + 1``. The
pattern is :data:`kocorpus.filters.pii_patterns.TRIGGER_RE2`, a superset of every pattern and
fold, so a row that is not returned has no detection. A match may run past the end of its row
into the next; that only returns a row that has nothing (it costs its Python pass), never hides
one: every row is searched from its own start unless an earlier match began inside it.

The compiled pattern is kept per process (its DFA stays warm across batches), with google-re2;
without it, Arrow's ``match_substring_regex`` (which compiles per call) does the same job.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kocorpus.filters.base import cached_model
from kocorpus.filters.pii_patterns import TRIGGER_RE2

_MAX_MEM = 64 << 20  # bytes of RE2 DFA memory; the default 8 MiB makes this pattern fall back to the NFA


def _compiled():
    """``(RE2 object, unanchored flag)`` from google-re2's low-level module, or None without it."""
    try:
        import re2
        from re2 import _re2
    except ImportError:
        return None
    opts = re2.Options()
    opts.max_mem = _MAX_MEM
    regexp = _re2.RE2(TRIGGER_RE2.encode(), opts)
    return regexp, _re2.RE2.Anchor.UNANCHORED


def candidate_rows(texts: pa.Array) -> np.ndarray:
    """Sorted indices of the rows of a string column that match the trigger (nulls never do)."""
    pattern = cached_model(("pii_trigger", TRIGGER_RE2), _compiled)
    if pattern is None or not pa.types.is_string(texts.type) and not pa.types.is_large_string(texts.type):
        hit = pc.fill_null(pc.match_substring_regex(texts, TRIGGER_RE2), False)
        return np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    bufs = texts.buffers()
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=width)[texts.offset : texts.offset + n + 1].astype(np.int64)
    if bufs[2] is None or offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.int64)
    data = bufs[2].slice(0, int(offsets[-1])).to_pybytes()
    bounds = offsets.tolist()  # bisect on a list: numpy's searchsorted costs a microsecond a call
    hits: list[int] = []
    pos, end = bounds[0], bounds[-1]
    regexp, unanchored = pattern
    match = regexp.Match  # low level: (start, end) byte spans, (-1, -1) for no match
    while pos < end:
        start = match(unanchored, data, pos, end)[0][0]
        if start < 0:
            break
        i = bisect_right(bounds, start) - 1
        hits.append(i)
        pos = bounds[i + 1]
    idx = np.array(hits, dtype=np.int64)
    if texts.null_count and len(idx):
        idx = idx[texts.is_valid().to_numpy(zero_copy_only=False)[idx]]
    return idx

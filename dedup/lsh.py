"""LSH banding of MinHash signatures: b bands of r rows, one 64-bit key per band.

``b`` and ``r`` come from datasketch's optimal-parameter routine (the pair
minimising the weighted false-positive and false-negative probability mass
for a Jaccard threshold), exactly as ``datasketch.MinHashLSH(threshold,
num_perm, weights)`` chooses them. Two documents are candidates when any band
key is equal. A band key is FNV-1a over the band's r uint32 values followed
by the 64-bit MurmurHash3 finalizer; it is stable across runs and machines
(the persisted band index depends on it).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """``(bands, rows)`` as ``datasketch.MinHashLSH`` picks them for ``threshold`` and ``num_perm``."""
    from datasketch.lsh import _optimal_param

    fp_w, fn_w = weights
    b, r = _optimal_param(float(threshold), int(num_perm), float(fp_w), float(fn_w))
    return int(b), int(r)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that two documents with this Jaccard share at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``int64[N, bands]`` keys of ``uint32[N, P]`` signatures (band i covers rows i*r .. i*r+r-1)."""
    if sigs.shape[1] < bands * rows:
        raise ValueError(f"signatures have {sigs.shape[1]} values, bands*rows = {bands * rows}")
    n = sigs.shape[0]
    v = sigs[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    h = np.full((n, bands), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(rows):
            h ^= v[:, :, j]
            h *= _FNV_PRIME
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
    return h.view(np.int64)

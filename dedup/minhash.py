"""MinHash signatures identical to datasketch's, computed for a whole batch at once.

Definition (datasketch >= 2.0 default scheme ``affine32``), for seed ``s`` and
``P`` permutations:

- each shingle is hashed as ``h = little-endian uint32 of sha1(utf8 bytes)[:4]``;
- ``h`` is pre-mixed with the 32-bit MurmurHash3 finalizer (fmix32);
- permutation ``k`` maps it to ``(a[k] * h + b[k]) mod 2**32`` with
  ``a, b`` drawn from ``numpy.random.RandomState(s)`` exactly as datasketch does;
- the signature is the per-permutation minimum over the document's shingles
  (a document without shingles would be all ``2**32 - 1``; kocorpus marks it
  too short instead).

:class:`MinHashSignatures` computes an ``(N, P)`` ``uint32`` matrix for N
documents from their Arrow text column: the shingling, hashing, mixing and
minimum run as compiled passes over the UTF-8 bytes (numba; SHA-1 of 16
shingles at a time in LLVM vector code) when numba is importable, else in a
numpy path (hashlib per shingle, vectorised permutations). Both give the
same bits as ``datasketch.MinHash``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pyarrow as pa

from kocorpus.dedup.shingles import (
    SHINGLE_KINDS,
    normalize_text,
    normalized_buffers,
    shingles_of_normalized,
    utf8_buffers,
)

MAX_HASH = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters ``(a, b)``, each ``uint32[num_perm]``; ``a`` odd."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 32-bit finalizer on a ``uint32`` array (wrapping arithmetic)."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


class MinHashSignatures:
    """Batch MinHash over Korean shingles; bit-identical to ``datasketch.MinHash(num_perm, seed)``.

    ``kind``/``n``: the shingles (see :mod:`kocorpus.dedup.shingles`).
    ``engine``: ``"auto"`` (numba when available), ``"numba"`` or ``"numpy"``.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, kind: str = "char", n: int = 5, engine: str = "auto"):
        if kind not in SHINGLE_KINDS:
            raise ValueError(f"shingle kind must be one of {SHINGLE_KINDS}, got {kind!r}")
        if engine not in ("auto", "numba", "numpy"):
            raise ValueError(f"engine must be auto, numba or numpy, got {engine!r}")
        self.num_perm = int(num_perm)
        self.seed = int(seed)
        self.kind = kind
        self.n = int(n)
        if engine == "auto":
            engine = "numba" if _numba_kernels() is not None else "numpy"
        elif engine == "numba" and _numba_kernels() is None:
            raise ImportError("engine='numba' needs the numba package")
        self.engine = engine
        self._a, self._b = permutations(self.num_perm, self.seed)

    def compute(self, texts: pa.Array | pa.ChunkedArray | list) -> tuple[np.ndarray, np.ndarray]:
        """Signatures of raw texts: ``(uint32[N, num_perm], int64[N] shingle counts)``.

        A row with count 0 is too short to shingle; its signature row is all ``2**32 - 1``.
        """
        if isinstance(texts, list):
            texts = pa.array(texts, type=pa.large_string())
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        if self.engine == "numba":
            k = _numba_kernels()
            data, offsets = normalized_buffers(k, *utf8_buffers(texts))
            starts, lengths, counts = k.shingle_spans(data, offsets, self.n, 0 if self.kind == "char" else 1)
            hv = np.empty(len(starts), dtype=np.uint32)
            k.sha1_first32_many(data, starts, lengths, hv)
            sig = np.full((len(texts), self.num_perm), MAX_HASH, dtype=np.uint32)
            k.minhash_min(hv, counts, self._a, self._b, sig)
            return sig, counts
        return self._compute_numpy([normalize_text(t) for t in texts.to_pylist()])

    def _compute_numpy(self, norm: list[str]) -> tuple[np.ndarray, np.ndarray]:
        n_docs = len(norm)
        sig = np.full((n_docs, self.num_perm), MAX_HASH, dtype=np.uint32)
        counts = np.zeros(n_docs, dtype=np.int64)
        sha1 = hashlib.sha1
        digests: list[bytes] = []
        for i, text in enumerate(norm):
            sh = shingles_of_normalized(text, self.kind, self.n)
            counts[i] = len(sh)
            digests.extend(sha1(s.encode("utf-8")).digest()[:4] for s in sh)
        if not digests:
            return sig, counts
        hv = fmix32(np.frombuffer(b"".join(digests), dtype="<u4"))
        owner = np.repeat(np.arange(n_docs), counts)
        a, b = self._a, self._b
        chunk = max(1, (1 << 22) // self.num_perm)
        for lo in range(0, len(hv), chunk):
            h = hv[lo : lo + chunk, None]
            phv = h * a + b  # uint32 wraps: mod 2**32
            own = owner[lo : lo + chunk]
            starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
            mins = np.minimum.reduceat(phv, starts, axis=0)
            rows = own[starts]
            sig[rows] = np.minimum(sig[rows], mins)
        return sig, counts


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values (datasketch ``MinHash.jaccard``)."""
    return np.count_nonzero(sig_a == sig_b, axis=-1) / sig_a.shape[-1]


_KERNELS = None
_KERNELS_TRIED = False


def _numba_kernels():
    """The compiled kernels (normalize_utf8, shingle_spans, sha1_first32_many, minhash_min), or None
    without numba. Compiled once and cached on disk (numba's cache, next to the module)."""
    global _KERNELS, _KERNELS_TRIED
    if not _KERNELS_TRIED:
        _KERNELS_TRIED = True
        try:
            from kocorpus.dedup import _minhash_kernel as k
        except ImportError:
            return None
        _KERNELS = SimpleNamespace(
            normalize_utf8=k.normalize_utf8,
            shingle_spans=k.shingle_spans,
            sha1_first32_many=k.sha1_first32_many,
            minhash_min=k.minhash_min,
        )
    return _KERNELS

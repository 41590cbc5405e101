"""Compiled (numba) MinHash kernel: shingle, SHA-1, fmix32, affine permutations, minimum.

Imported only through :func:`kocorpus.dedup.minhash._numba_kernels`; raises
ImportError when numba is missing. All 32-bit arithmetic is done in int64
and masked to 32 bits (multiplication wraps mod 2**64, so the low 32 bits
are exact).
"""

from __future__ import annotations

import numba as nb
import numpy as np

M32 = 0xFFFFFFFF


@nb.njit(inline="always")
def _rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & M32


@nb.njit(inline="always")
def _msg_byte(data, start, length, p, total):
    """Byte ``p`` of the SHA-1 padded message of ``data[start:start+length]`` (``total`` padded bytes)."""
    if p < length:
        return np.int64(data[start + p])
    if p == length:
        return np.int64(0x80)
    if p >= total - 8:
        bits = np.int64(length) * 8
        shift = (total - 1 - p) * 8
        return (bits >> shift) & 0xFF
    return np.int64(0)


@nb.njit
def sha1_first32(data, start, length, w):
    """Little-endian uint32 of the first 4 bytes of SHA-1(data[start:start+length]); ``w`` is int64[80] scratch."""
    total = ((length + 8) // 64 + 1) * 64
    h0 = np.int64(0x67452301)
    h1 = np.int64(0xEFCDAB89)
    h2 = np.int64(0x98BADCFE)
    h3 = np.int64(0x10325476)
    h4 = np.int64(0xC3D2E1F0)
    for blk in range(0, total, 64):
        if blk + 64 <= length:
            for t in range(16):
                q = start + blk + 4 * t
                w[t] = (
                    (np.int64(data[q]) << 24)
                    | (np.int64(data[q + 1]) << 16)
                    | (np.int64(data[q + 2]) << 8)
                    | np.int64(data[q + 3])
                )
        else:
            for t in range(16):
                p = blk + 4 * t
                w[t] = (
                    (_msg_byte(data, start, length, p, total) << 24)
                    | (_msg_byte(data, start, length, p + 1, total) << 16)
                    | (_msg_byte(data, start, length, p + 2, total) << 8)
                    | _msg_byte(data, start, length, p + 3, total)
                )
        for t in range(16, 80):
            w[t] = _rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
        a = h0
        b = h1
        c = h2
        d = h3
        e = h4
        for t in range(80):
            if t < 20:
                f = (b & c) | ((~b) & d)
                k = 0x5A827999
            elif t < 40:
                f = b ^ c ^ d
                k = 0x6ED9EBA1
            elif t < 60:
                f = (b & c) | (b & d) | (c & d)
                k = 0x8F1BBCDC
            else:
                f = b ^ c ^ d
                k = 0xCA62C1D6
            tmp = (_rotl(a, 5) + (f & M32) + e + k + w[t]) & M32
            e = d
            d = c
            c = _rotl(b, 30)
            b = a
            a = tmp
        h0 = (h0 + a) & M32
        h1 = (h1 + b) & M32
        h2 = (h2 + c) & M32
        h3 = (h3 + d) & M32
        h4 = (h4 + e) & M32
    # digest[:4] is h0 big-endian; read little-endian -> byte swap.
    return ((h0 & 0xFF) << 24) | ((h0 & 0xFF00) << 8) | ((h0 >> 8) & 0xFF00) | (h0 >> 24)


U32 = np.uint32
_K = (U32(0x5A827999), U32(0x6ED9EBA1), U32(0x8F1BBCDC), U32(0xCA62C1D6))
_H0 = (U32(0x67452301), U32(0xEFCDAB89), U32(0x98BADCFE), U32(0x10325476), U32(0xC3D2E1F0))
LANES = 16
#: Longest message that fits one SHA-1 block (55 bytes + 0x80 + 8-byte length).
ONE_BLOCK = 55


@nb.njit(cache=True)
def sha1_first32_many(data, starts, lengths, out):
    """``out[i]`` = first-32-bit hash of ``data[starts[i]:starts[i]+lengths[i]]`` for every i.

    One-block messages (<= 55 bytes, nearly every shingle) are hashed LANES at a
    time with the rounds written over lanes so the compiler vectorises them;
    longer ones go through :func:`sha1_first32`.
    """
    n = starts.shape[0]
    w1 = np.zeros(80, dtype=np.int64)
    short = np.empty(n, dtype=np.int64)
    ns = 0
    for i in range(n):
        if lengths[i] <= ONE_BLOCK:
            short[ns] = i
            ns += 1
        else:
            out[i] = U32(sha1_first32(data, starts[i], lengths[i], w1))
    W = np.zeros((80, LANES), dtype=np.uint32)
    A = np.empty(LANES, np.uint32)
    B = np.empty(LANES, np.uint32)
    C = np.empty(LANES, np.uint32)
    D = np.empty(LANES, np.uint32)
    E = np.empty(LANES, np.uint32)
    k0, k1, k2, k3 = _K
    for lo in range(0, ns, LANES):
        for l in range(LANES):
            for t in range(16):
                W[t, l] = U32(0)
            if lo + l < ns:
                i = short[lo + l]
                st = starts[i]
                ln = lengths[i]
                for p in range(ln):
                    W[p >> 2, l] |= U32(U32(data[st + p]) << U32(24 - 8 * (p & 3)))
                W[ln >> 2, l] |= U32(U32(0x80) << U32(24 - 8 * (ln & 3)))
                W[15, l] = U32(ln * 8)
        for t in range(16, 80):
            for l in range(LANES):
                x = W[t - 3, l] ^ W[t - 8, l] ^ W[t - 14, l] ^ W[t - 16, l]
                W[t, l] = U32((x << U32(1)) | (x >> U32(31)))
        for l in range(LANES):
            A[l] = _H0[0]
            B[l] = _H0[1]
            C[l] = _H0[2]
            D[l] = _H0[3]
            E[l] = _H0[4]
        for t in range(80):
            if t < 20:
                for l in range(LANES):
                    a = A[l]
                    b = B[l]
                    c = C[l]
                    d = D[l]
                    f = U32((b & c) | (U32(~b) & d))
                    tmp = U32(U32((a << U32(5)) | (a >> U32(27))) + f + E[l] + k0 + W[t, l])
                    E[l] = d
                    D[l] = c
                    C[l] = U32((b << U32(30)) | (b >> U32(2)))
                    B[l] = a
                    A[l] = tmp
            elif t < 40:
                for l in range(LANES):
                    a = A[l]
                    b = B[l]
                    c = C[l]
                    d = D[l]
                    f = U32(b ^ c ^ d)
                    tmp = U32(U32((a << U32(5)) | (a >> U32(27))) + f + E[l] + k1 + W[t, l])
                    E[l] = d
                    D[l] = c
                    C[l] = U32((b << U32(30)) | (b >> U32(2)))
                    B[l] = a
                    A[l] = tmp
            elif t < 60:
                for l in range(LANES):
                    a = A[l]
                    b = B[l]
                    c = C[l]
                    d = D[l]
                    f = U32((b & c) | (b & d) | (c & d))
                    tmp = U32(U32((a << U32(5)) | (a >> U32(27))) + f + E[l] + k2 + W[t, l])
                    E[l] = d
                    D[l] = c
                    C[l] = U32((b << U32(30)) | (b >> U32(2)))
                    B[l] = a
                    A[l] = tmp
            else:
                for l in range(LANES):
                    a = A[l]
                    b = B[l]
                    c = C[l]
                    d = D[l]
                    f = U32(b ^ c ^ d)
                    tmp = U32(U32((a << U32(5)) | (a >> U32(27))) + f + E[l] + k3 + W[t, l])
                    E[l] = d
                    D[l] = c
                    C[l] = U32((b << U32(30)) | (b >> U32(2)))
                    B[l] = a
                    A[l] = tmp
        for l in range(LANES):
            if lo + l < ns:
                h0 = U32(A[l] + _H0[0])
                out[short[lo + l]] = U32(
                    ((h0 & U32(0xFF)) << U32(24))
                    | ((h0 & U32(0xFF00)) << U32(8))
                    | ((h0 >> U32(8)) & U32(0xFF00))
                    | (h0 >> U32(24))
                )


@nb.njit(cache=True)
def shingle_spans(data, offsets, n, word_mode):
    """Byte spans of every shingle: ``(starts int64[S], lengths int64[S], counts int64[N])``.

    ``data``/``offsets``: UTF-8 bytes and int64[N+1] offsets of normalised texts.
    ``word_mode`` 0: character n-grams; 1: n-grams of space-separated words.
    """
    n_docs = offsets.shape[0] - 1
    counts = np.zeros(n_docs, dtype=np.int64)
    cap = max(16, offsets[n_docs] - offsets[0])
    starts = np.empty(cap, dtype=np.int64)
    lengths = np.empty(cap, dtype=np.int64)
    bounds = np.zeros(1024, dtype=np.int64)
    total = 0
    for i in range(n_docs):
        s = offsets[i]
        e = offsets[i + 1]
        if 2 * (e - s) + 2 > bounds.shape[0]:
            bounds = np.zeros(2 * (e - s) + 2, dtype=np.int64)
        m = 0
        count = 0
        if word_mode == 0:
            for p in range(s, e):
                if (data[p] & 0xC0) != 0x80:
                    bounds[m] = p
                    m += 1
            bounds[m] = e
            count = max(m - n + 1, 0)
            for j in range(count):
                starts[total + j] = bounds[j]
                lengths[total + j] = bounds[j + n] - bounds[j]
        else:
            if e > s:
                bounds[0] = s
                for p in range(s, e):
                    if data[p] == 0x20:
                        bounds[2 * m + 1] = p
                        bounds[2 * m + 2] = p + 1
                        m += 1
                bounds[2 * m + 1] = e
                m += 1
            count = max(m - n + 1, 0)
            for j in range(count):
                starts[total + j] = bounds[2 * j]
                lengths[total + j] = bounds[2 * (j + n - 1) + 1] - bounds[2 * j]
        counts[i] = count
        total += count
    return starts[:total], lengths[:total], counts


@nb.njit(cache=True)
def minhash_min(hv, counts, a, b, sig):
    """``sig[i, k] = min over doc i's hashes h of (a[k] * fmix32(h) + b[k]) mod 2**32``.

    ``hv``: uint32 shingle hashes grouped by document (``counts[i]`` each);
    ``a``, ``b``: uint32[P]; ``sig``: uint32[N, P] preset to 2**32-1.
    """
    pos = 0
    P = a.shape[0]
    for i in range(counts.shape[0]):
        row = sig[i]
        for j in range(pos, pos + counts[i]):
            h = hv[j]
            h ^= h >> U32(16)
            h = U32(h * U32(0x85EBCA6B))
            h ^= h >> U32(13)
            h = U32(h * U32(0xC2B2AE35))
            h ^= h >> U32(16)
            for k in range(P):
                v = U32(a[k] * h + b[k])
                row[k] = min(row[k], v)
        pos += counts[i]




@nb.njit(cache=True)
def normalize_utf8(data, offsets, sep, lower, out, out_offsets):
    """Normalise UTF-8 texts for shingling (see kocorpus.dedup.shingles); returns bytes written.

    ``sep``/``lower``: the code point tables of :func:`kocorpus.dedup.shingles.unicode_tables`.
    ``out`` must hold 1.5x the input bytes; ``out_offsets`` gets N+1 offsets.
    """
    pos = 0
    n_docs = offsets.shape[0] - 1
    for i in range(n_docs):
        out_offsets[i] = pos
        p = offsets[i]
        e = offsets[i + 1]
        started = False
        pending = False
        while p < e:
            c0 = np.int64(data[p])
            if c0 < 0x80:
                cp = c0
                p += 1
            elif c0 < 0xE0:
                cp = ((c0 & 0x1F) << 6) | (np.int64(data[p + 1]) & 0x3F)
                p += 2
            elif c0 < 0xF0:
                cp = ((c0 & 0x0F) << 12) | ((np.int64(data[p + 1]) & 0x3F) << 6) | (np.int64(data[p + 2]) & 0x3F)
                p += 3
            else:
                cp = (
                    ((c0 & 0x07) << 18)
                    | ((np.int64(data[p + 1]) & 0x3F) << 12)
                    | ((np.int64(data[p + 2]) & 0x3F) << 6)
                    | (np.int64(data[p + 3]) & 0x3F)
                )
                p += 4
            if sep[cp]:
                pending = started
                continue
            if pending:
                out[pos] = 0x20
                pos += 1
                pending = False
            started = True
            cp = np.int64(lower[cp])
            if cp < 0x80:
                out[pos] = cp
                pos += 1
            elif cp < 0x800:
                out[pos] = 0xC0 | (cp >> 6)
                out[pos + 1] = 0x80 | (cp & 0x3F)
                pos += 2
            elif cp < 0x10000:
                out[pos] = 0xE0 | (cp >> 12)
                out[pos + 1] = 0x80 | ((cp >> 6) & 0x3F)
                out[pos + 2] = 0x80 | (cp & 0x3F)
                pos += 3
            else:
                out[pos] = 0xF0 | (cp >> 18)
                out[pos + 1] = 0x80 | ((cp >> 12) & 0x3F)
                out[pos + 2] = 0x80 | ((cp >> 6) & 0x3F)
                out[pos + 3] = 0x80 | (cp & 0x3F)
                pos += 4
    out_offsets[n_docs] = pos
    return pos

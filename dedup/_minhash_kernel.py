"""Compiled (numba) MinHash kernel: shingle, SHA-1, fmix32, affine permutations, minimum.

Imported only through :func:`kocorpus.dedup.minhash._numba_kernels`; raises
ImportError when numba is missing. All 32-bit arithmetic is done in int64
and masked to 32 bits (multiplication wraps mod 2**64, so the low 32 bits
are exact).
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.core.extending import intrinsic

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


_I32 = ir.IntType(32)
_VEC = ir.VectorType(_I32, LANES)


@intrinsic
def _sha1_blocks16(typingctx, w_arr, out_arr):
    """SHA-1 of LANES one-block messages at once, in LLVM vector IR (any x86-64 vector width).

    ``w_arr``: uint32[16 * LANES], word ``t`` of lane ``l`` at ``t * LANES + l``, as read
    little-endian from the padded block (byte-swapped here). ``out_arr``: uint32[LANES] gets
    the final ``h0`` of each lane.
    """
    sig = types.void(w_arr, out_arr)

    def codegen(context, builder, signature, args):
        w = context.make_array(signature.args[0])(context, builder, args[0])
        o = context.make_array(signature.args[1])(context, builder, args[1])
        vptr = builder.bitcast(w.data, _VEC.as_pointer())
        optr = builder.bitcast(o.data, _VEC.as_pointer())
        fshl = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_VEC, [_VEC, _VEC, _VEC]), f"llvm.fshl.v{LANES}i32"
        )
        bswap = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VEC, [_VEC]), f"llvm.bswap.v{LANES}i32")

        def splat(v):
            return ir.Constant(_VEC, [ir.Constant(_I32, v)] * LANES)

        def rotl(x, n):
            return builder.call(fshl, [x, x, splat(n)])

        ws = []
        for t in range(16):
            p = builder.gep(vptr, [ir.Constant(ir.IntType(64), t)])
            ws.append(builder.call(bswap, [builder.load(p, align=4)]))
        for t in range(16, 80):
            ws.append(rotl(builder.xor(builder.xor(ws[t - 3], ws[t - 8]), builder.xor(ws[t - 14], ws[t - 16])), 1))
        a, b, c, d, e = (splat(int(h)) for h in _H0)
        for t in range(80):
            if t < 20:
                f = builder.or_(builder.and_(b, c), builder.and_(builder.not_(b), d))
            elif t < 40 or t >= 60:
                f = builder.xor(builder.xor(b, c), d)
            else:
                f = builder.or_(builder.or_(builder.and_(b, c), builder.and_(b, d)), builder.and_(c, d))
            k = splat(int(_K[t // 20]))
            tmp = builder.add(builder.add(builder.add(rotl(a, 5), f), builder.add(e, k)), ws[t])
            e, d, c, b, a = d, c, rotl(b, 30), a, tmp
        builder.store(builder.add(a, splat(int(_H0[0]))), optr, align=4)
        return context.get_dummy_value()

    return sig, codegen


@nb.njit(cache=True)
def sha1_first32_many(data, starts, lengths, out):
    """``out[i]`` = first-32-bit hash of ``data[starts[i]:starts[i]+lengths[i]]`` for every i.

    One-block messages (<= 55 bytes, nearly every shingle) are padded into LANES
    blocks and compressed together (:func:`_sha1_blocks16`); longer ones go
    through :func:`sha1_first32`.
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
    words = np.zeros(16 * LANES, dtype=np.uint32)
    wbytes = words.view(np.uint8)  # byte p of lane l's block: word p//4 of lane l, byte p%4
    h = np.zeros(LANES, dtype=np.uint32)
    for lo in range(0, ns, LANES):
        words[:] = 0
        for l in range(min(LANES, ns - lo)):
            i = short[lo + l]
            st = starts[i]
            ln = lengths[i]
            for p in range(ln):
                wbytes[(((p >> 2) * LANES + l) << 2) | (p & 3)] = data[st + p]
            wbytes[(((ln >> 2) * LANES + l) << 2) | (ln & 3)] = 0x80
            bits = ln * 8
            wbytes[((15 * LANES + l) << 2) | 2] = (bits >> 8) & 0xFF
            wbytes[((15 * LANES + l) << 2) | 3] = bits & 0xFF
        _sha1_blocks16(words, h)
        for l in range(min(LANES, ns - lo)):
            h0 = h[l]
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


@nb.njit(inline="always")
def _fmix32(h):
    h ^= h >> U32(16)
    h = U32(h * U32(0x85EBCA6B))
    h ^= h >> U32(13)
    h = U32(h * U32(0xC2B2AE35))
    h ^= h >> U32(16)
    return h


@nb.njit(cache=True)
def minhash_min(hv, counts, a, b, sig):
    """``sig[i, k] = min over doc i's hashes h of (a[k] * fmix32(h) + b[k]) mod 2**32``.

    ``hv``: uint32 shingle hashes grouped by document (``counts[i]`` each);
    ``a``, ``b``: uint32[P]; ``sig``: uint32[N, P] preset to 2**32-1. Four hashes
    share each pass over the signature row (the row stays in registers/L1).
    """
    pos = 0
    P = a.shape[0]
    for i in range(counts.shape[0]):
        row = sig[i]
        end = pos + counts[i]
        j = pos
        while j + 4 <= end:
            h0 = _fmix32(hv[j])
            h1 = _fmix32(hv[j + 1])
            h2 = _fmix32(hv[j + 2])
            h3 = _fmix32(hv[j + 3])
            for k in range(P):
                ak = a[k]
                bk = b[k]
                v = min(min(U32(ak * h0 + bk), U32(ak * h1 + bk)), min(U32(ak * h2 + bk), U32(ak * h3 + bk)))
                row[k] = min(row[k], v)
            j += 4
        while j < end:
            h = _fmix32(hv[j])
            for k in range(P):
                row[k] = min(row[k], U32(a[k] * h + b[k]))
            j += 1
        pos = end


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

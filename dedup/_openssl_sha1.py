"""SHA-1 of many short byte spans through the process's OpenSSL (SHA-NI where the CPU has it).

Optional accelerator for the MinHash kernel: numba calls ``SHA1_Init`` /
``SHA1_Update`` / ``SHA1_Final`` of the ``libcrypto`` that Python's hashlib
uses, with one reused context. :func:`load` returns the compiled function
only after a self-test against ``hashlib.sha1``; otherwise None, and the
kernel's own vectorised SHA-1 is used. Not cached on disk (it embeds the
library's function addresses), so it compiles once per process (~1 s).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib

import numpy as np

_CTX_BYTES = 256  # SHA_CTX is 96 bytes; generous room


def _libcrypto():
    try:
        import _hashlib

        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "libcrypto" in line and line.split()[-1].startswith("/")}
        del _hashlib
    except (ImportError, OSError):
        paths = set()
    for path in sorted(paths) or [ctypes.util.find_library("crypto")]:
        if path:
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    return None


def _build():
    import numba as nb

    lib = _libcrypto()
    if lib is None:
        return None
    try:
        init, update, final = lib.SHA1_Init, lib.SHA1_Update, lib.SHA1_Final
    except AttributeError:
        return None
    for f in (init, update, final):
        f.restype = ctypes.c_int
    # Pointers are passed as size_t (same width and calling convention on 64-bit platforms).
    init.argtypes = [ctypes.c_size_t]
    update.argtypes = [ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t]
    final.argtypes = [ctypes.c_size_t, ctypes.c_size_t]

    @nb.njit
    def sha1_first32_many(data, starts, lengths, out):
        md = np.zeros(32, np.uint8)
        ctx = np.zeros(_CTX_BYTES, np.uint8)
        base = data.ctypes.data
        mdp = md.ctypes.data
        cp = ctx.ctypes.data
        for i in range(starts.shape[0]):
            init(cp)
            update(cp, base + starts[i], lengths[i])
            final(mdp, cp)
            out[i] = (
                np.uint32(md[0])
                | (np.uint32(md[1]) << np.uint32(8))
                | (np.uint32(md[2]) << np.uint32(16))
                | (np.uint32(md[3]) << np.uint32(24))
            )

    return sha1_first32_many


def load():
    """The OpenSSL-backed ``sha1_first32_many(data, starts, lengths, out)``, or None."""
    if ctypes.sizeof(ctypes.c_void_p) != 8:
        return None
    try:
        fn = _build()
    except Exception:  # noqa: BLE001 - any failure means: use the portable kernel
        return None
    if fn is None:
        return None
    msgs = [b"", b"a", "가나다라마".encode(), bytes(range(55)), bytes(range(56)), bytes(range(64)), bytes(200)]
    data = np.frombuffer(b"".join(msgs) or b"\0", dtype=np.uint8)
    lengths = np.array([len(m) for m in msgs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    out = np.zeros(len(msgs), dtype=np.uint32)
    try:
        fn(data, starts, lengths, out)
    except Exception:  # noqa: BLE001
        return None
    want = [int.from_bytes(hashlib.sha1(m).digest()[:4], "little") for m in msgs]
    return fn if out.tolist() == want else None

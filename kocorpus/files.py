"""File hashing and atomic writes: the one implementation every package uses.

- ``sha256_file`` / ``sha256_stream``: hex sha256 of a file's bytes (local path,
  ``s3://`` URL, or an open binary stream), read in 1 MiB pieces (bounded memory).
- ``write_json_atomic``: JSON written through a temporary file and a rename, so a
  reader never sees half a file. Keys sorted, UTF-8, two-space indent, newline-terminated.
- ``write_bytes_atomic``: the same for bytes at a local path or ``s3://`` URL (an S3
  PUT becomes visible whole, so objects are written directly).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

CHUNK = 1 << 20


def sha256_stream(stream: BinaryIO) -> tuple[str, int]:
    """``(hex sha256, bytes read)`` of everything left in ``stream``."""
    h = hashlib.sha256()
    n = 0
    while chunk := stream.read(CHUNK):
        h.update(chunk)
        n += len(chunk)
    return h.hexdigest(), n


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a local file or an ``s3://`` object."""
    text = str(path)
    if "://" in text:
        from kocorpus import storage

        with storage.open_input(text) as f:
            return sha256_stream(f)[0]
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def json_bytes(obj: Any) -> bytes:
    """The canonical JSON encoding used for every file kocorpus writes (sorted keys, UTF-8)."""
    return (json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode("utf-8")


def write_json_atomic(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as JSON at ``path`` (local or ``s3://``) so readers never see half a file."""
    write_bytes_atomic(path, json_bytes(obj))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` at ``path``: locally through a temporary file and rename; on S3 by one PUT."""
    text = str(path)
    if "://" in text:
        from kocorpus import storage

        fs, inner = storage.filesystem(text)
        fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
        with fs.open_output_stream(inner) as out:
            out.write(data)
        return
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=p.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

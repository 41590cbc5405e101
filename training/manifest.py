"""The loader's view of a token-shard manifest: what it lists, with shard locations resolved.

A manifest (``kocorpus-shards/1``) is the commit record of a shard set: readers
trust only the shards it lists. Shard paths are relative to the manifest's
folder unless they are URLs; both local paths and ``s3://`` URLs are read
through pyarrow filesystems (``kocorpus.storage``).
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from kocorpus.storage import filesystem, is_url

FORMAT = "kocorpus-shards/1"
DTYPES = ("uint16", "uint32")


class ManifestError(ValueError):
    """The manifest is unreadable or inconsistent; the message names the file and the field."""


@dataclass(frozen=True)
class ShardEntry:
    """One shard as the manifest lists it; ``url`` is resolved (local absolute path or ``s3://``)."""

    path: str  # as written in the manifest
    url: str
    rows: int
    tokens: int  # non-pad tokens
    documents: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ShardManifest:
    """A parsed, checked manifest. Rows are ``seq_len + 1`` tokens wide."""

    url: str
    seq_len: int
    dtype: str
    vocab_size: int
    bos_id: int
    eos_id: int
    pad_id: int
    shards: tuple[ShardEntry, ...]
    raw: dict

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    @property
    def tokens(self) -> int:
        return sum(s.tokens for s in self.shards)

    @classmethod
    def load(cls, url: str) -> "ShardManifest":
        """Read and check ``manifest.json`` (a file path or ``s3://`` URL, or the folder holding it)."""
        fs, inner = filesystem(url)
        info = fs.get_file_info(inner)
        if info.type.name == "Directory":
            url = _join(url, "manifest.json")
            fs, inner = filesystem(url)
        try:
            with fs.open_input_stream(inner) as f:
                raw = json.loads(f.read().decode("utf-8"))
        except FileNotFoundError as e:
            raise ManifestError(f"{url}: no manifest here (a shard set without manifest.json is not committed)") from e
        except (OSError, ValueError) as e:
            raise ManifestError(f"{url}: unreadable manifest: {e}") from e
        return cls.from_dict(raw, url)

    @classmethod
    def from_dict(cls, raw: dict, url: str) -> "ShardManifest":
        def need(key, kind):
            if key not in raw:
                raise ManifestError(f"{url}: missing field {key!r}")
            value = raw[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ManifestError(f"{url}: field {key!r} should be {kind.__name__}, got {value!r}")
            return value

        if raw.get("format") != FORMAT:
            raise ManifestError(f"{url}: format {raw.get('format')!r} is not {FORMAT!r}")
        seq_len = need("seq_len", int)
        dtype = need("dtype", str)
        if dtype not in DTYPES:
            raise ManifestError(f"{url}: dtype {dtype!r} is not one of {DTYPES}")
        vocab_size = need("vocab_size", int)
        if seq_len < 1 or vocab_size < 1:
            raise ManifestError(f"{url}: seq_len and vocab_size must be positive")
        if dtype == "uint16" and vocab_size > 65536:
            raise ManifestError(f"{url}: vocab_size {vocab_size} does not fit dtype uint16")
        ids = {k: need(k, int) for k in ("bos_id", "eos_id", "pad_id")}
        for k, v in ids.items():
            if not 0 <= v < vocab_size:
                raise ManifestError(f"{url}: {k}={v} outside the vocabulary (size {vocab_size})")
        base = _dirname(url)
        shards = []
        for i, s in enumerate(need("shards", list)):
            try:
                path = s["path"]
                entry = ShardEntry(
                    path=path,
                    url=path if is_url(path) or posixpath.isabs(path) else _join(base, path),
                    rows=int(s["rows"]),
                    tokens=int(s["tokens"]),
                    documents=int(s["documents"]),
                    bytes=int(s["bytes"]),
                    sha256=str(s["sha256"]).lower(),
                )
            except (KeyError, TypeError, ValueError) as e:
                raise ManifestError(f"{url}: shard entry {i} is malformed: {e!r}") from e
            if entry.rows < 0 or len(entry.sha256) != 64:
                raise ManifestError(f"{url}: shard {entry.path}: bad rows or sha256")
            shards.append(entry)
        if not shards:
            raise ManifestError(f"{url}: lists no shards")
        return cls(
            url=url,
            seq_len=seq_len,
            dtype=dtype,
            vocab_size=vocab_size,
            shards=tuple(shards),
            raw=raw,
            **ids,
        )


def _dirname(url: str) -> str:
    if url.startswith("s3://"):
        return url.rsplit("/", 1)[0]
    return posixpath.dirname(filesystem(url)[1])


def _join(base: str, rel: str) -> str:
    return base.rstrip("/") + "/" + rel

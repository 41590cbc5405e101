"""Where bytes live: local paths and ``s3://`` URLs through pyarrow filesystems.

Spark from pip has no s3a connector, so object storage is read and written
with pyarrow inside tasks (and on the driver for publishing). Credentials,
endpoint and region come from the standard AWS environment variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``,
``AWS_REGION``) or from ``configure_s3``; they are never logged.
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import BinaryIO

import pyarrow.fs as pafs

_S3_OPTIONS: dict[str, str] = {}


def configure_s3(**options: str) -> None:
    """Set S3 options for this process (endpoint_override, region, access_key, secret_key)."""
    _S3_OPTIONS.update({k: v for k, v in options.items() if v})


def is_url(path: str) -> bool:
    return "://" in path


def filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem for ``path`` and the path within it."""
    if path.startswith("s3://"):
        return _s3(), path[len("s3://") :]
    if path.startswith("file://"):
        path = path[len("file://") :]
    return pafs.LocalFileSystem(), os.path.abspath(path)


def _s3() -> pafs.S3FileSystem:
    opts = dict(_S3_OPTIONS)
    endpoint = opts.pop("endpoint_override", None) or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs: dict = {}
    if endpoint:
        scheme = "http" if endpoint.startswith("http://") else "https"
        kwargs["endpoint_override"] = re.sub(r"^https?://", "", endpoint)
        kwargs["scheme"] = scheme
    region = opts.pop("region", None) or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    ak = opts.pop("access_key", None) or os.environ.get("AWS_ACCESS_KEY_ID")
    sk = opts.pop("secret_key", None) or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if ak and sk:
        kwargs["access_key"] = ak
        kwargs["secret_key"] = sk
    kwargs["retry_strategy"] = pafs.AwsStandardS3RetryStrategy(max_attempts=5)
    return pafs.S3FileSystem(**kwargs)


def _split_glob(pattern: str) -> tuple[str, str]:
    """Split a glob into its literal directory prefix and the rest."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if any(c in part for c in "*?["):
            return "/".join(parts[:i]), "/".join(parts[i:])
    return pattern, ""


def list_files(pattern: str) -> list[tuple[str, int]]:
    """Files matching a glob (``**`` matches across folders), sorted, as ``(url_or_path, size)``.

    A pattern that names a folder lists every file under it.
    """
    fs, inner = filesystem(pattern)
    prefix, rest = _split_glob(inner)
    info = fs.get_file_info(prefix)
    if info.type == pafs.FileType.File and not rest:
        return [(_outer(pattern, prefix), info.size)]
    if info.type != pafs.FileType.Directory:
        return []
    selector = pafs.FileSelector(prefix, recursive=True)
    out = []
    regex = _glob_regex(rest) if rest else None
    for f in fs.get_file_info(selector):
        if f.type != pafs.FileType.File:
            continue
        rel = f.path[len(prefix) :].lstrip("/")
        if rel.split("/")[-1].startswith((".", "_")):
            continue
        if regex is None or regex.fullmatch(rel):
            out.append((_outer(pattern, f.path), f.size))
    return sorted(out)


def glob_root(pattern: str) -> str:
    """The literal folder part of a glob: file keys are made relative to it."""
    fs, inner = filesystem(pattern)
    prefix, rest = _split_glob(inner)
    if not rest:
        info = fs.get_file_info(prefix)
        if info.type == pafs.FileType.File:
            prefix = prefix.rsplit("/", 1)[0]
    return _outer(pattern, prefix)


def relative_key(path: str, root: str) -> str:
    rel = path[len(root) :] if path.startswith(root) else path
    return rel.lstrip("/")


def _glob_regex(glob: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 1 :]:
            j = glob.index("]", i + 1)
            out.append(glob[i : j + 1])
            i = j + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


def _outer(original: str, inner: str) -> str:
    return "s3://" + inner if original.startswith("s3://") else inner


def open_input(path: str) -> BinaryIO:
    """Open a file or object for streaming reads."""
    fs, inner = filesystem(path)
    return fs.open_input_stream(inner, compression=None)


def open_random_access(path: str):
    fs, inner = filesystem(path)
    return fs.open_input_file(inner)

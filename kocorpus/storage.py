"""Where bytes live: local paths and ``s3://`` URLs through pyarrow filesystems.

Spark from pip has no s3a connector, so object storage is read and written
with pyarrow inside tasks (and on the driver for listing and publishing).

S3 settings come from the ``[storage]`` table of the run config (see
``configure``) or, for anything it leaves out, the standard AWS environment
variables (``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL``, ``AWS_REGION``/
``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``); with neither, the AWS default chain (instance
profile, web identity) applies. ``share_with_spark`` hands the resolved
settings to a session's Python workers. Credentials are never logged, never
written to run files (``redacted``) and never part of an error message.

Every request is retried by the AWS SDK's standard strategy: exponential
backoff with full jitter (a random wait of up to 1 s x 2^retry, at most 20 s) on throttling
(``SlowDown``, HTTP 429/503) and transient failures (connection refused or
reset, timeouts, HTTP 500/502/504), up to ``max_attempts`` tries per request.
Each ranged read, part upload and listing page is its own request, so a
failure half-way through an object is retried from where it broke. Errors
that remain are ``StorageError`` (an ``OSError``) naming the URL and the
endpoint; refused credentials are ``S3AccessError``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyarrow.fs as pafs
from wcmatch import glob

#: Glob flags: ``**`` across folders, ``{a,b}`` alternatives, dotfiles matched like other names.
GLOB_FLAGS = glob.GLOBSTAR | glob.BRACE | glob.DOTGLOB

#: Keys of the ``[storage]`` table that hold credentials: redacted wherever config is written.
SECRET_KEYS = ("access_key_id", "secret_access_key", "session_token")
#: Every key ``[storage]`` accepts.
STORAGE_KEYS = (
    "endpoint_url", "region", *SECRET_KEYS, "max_attempts", "connect_timeout", "request_timeout",
)
REDACTED = "<redacted>"

#: Environment variables that ``share_with_spark`` sets on Python workers.
_ENV = {
    "endpoint_url": "AWS_ENDPOINT_URL",
    "region": "AWS_REGION",
    "access_key_id": "AWS_ACCESS_KEY_ID",
    "secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "session_token": "AWS_SESSION_TOKEN",
    "max_attempts": "KOCORPUS_S3_MAX_ATTEMPTS",
    "connect_timeout": "KOCORPUS_S3_CONNECT_TIMEOUT",
    "request_timeout": "KOCORPUS_S3_REQUEST_TIMEOUT",
}

_CONFIGURED: dict[str, Any] = {}


class StorageError(OSError):
    """A storage operation failed after retries; the message names the URL and endpoint, never a secret."""


class S3AccessError(StorageError):
    """The S3 service refused the credentials (wrong key or secret, expired token, or no permission)."""


@dataclass(frozen=True)
class S3Settings:
    """Resolved S3 settings. Timeouts in seconds; ``max_attempts`` counts the first try."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    max_attempts: int = 8
    connect_timeout: float = 10.0
    request_timeout: float = 60.0
    credentials_from: str = "the AWS default chain"  # "[storage]", "AWS_* environment variables", ...

    @property
    def endpoint_label(self) -> str:
        return self.endpoint_url or f"AWS S3 (region {self.region or 'default'})"

    def secrets(self) -> list[str]:
        return [s for s in (self.secret_access_key, self.session_token) if s]


def configure(section: dict[str, Any] | None) -> None:
    """Use the ``[storage]`` table of a run config for this process (replaces an earlier one).

    Keys: ``endpoint_url``, ``region``, ``access_key_id``, ``secret_access_key``,
    ``session_token``, ``max_attempts`` (tries per request, default 8),
    ``connect_timeout`` and ``request_timeout`` (seconds, default 10 and 60).
    Keys left out fall back to the AWS environment variables.
    """
    section = dict(section or {})
    unknown = set(section) - set(STORAGE_KEYS)
    if unknown:
        from kocorpus.config import ConfigError

        raise ConfigError(f"[storage]: unknown key(s) {sorted(unknown)}; known: {sorted(STORAGE_KEYS)}")
    if bool(section.get("access_key_id")) != bool(section.get("secret_access_key")):
        from kocorpus.config import ConfigError

        raise ConfigError("[storage]: access_key_id and secret_access_key go together (set both or neither)")
    _CONFIGURED.clear()
    _CONFIGURED.update({k: v for k, v in section.items() if v not in (None, "")})


def redacted(section: dict[str, Any]) -> dict[str, Any]:
    """A copy of a ``[storage]`` table with credential values replaced by ``<redacted>``."""
    return {k: (REDACTED if k in SECRET_KEYS and v else v) for k, v in section.items()}


def s3_settings() -> S3Settings:
    """The S3 settings in force: ``[storage]`` first, then the environment, then defaults."""
    env = os.environ
    c = _CONFIGURED

    def pick(key: str, *names: str):
        if c.get(key) not in (None, ""):
            return c[key]
        for n in names:
            if env.get(n):
                return env[n]
        return None

    if c.get("access_key_id"):
        ak, sk, token, source = c["access_key_id"], c["secret_access_key"], c.get("session_token"), "[storage]"
    elif env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        ak, sk, token = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN")
        source = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    else:
        ak = sk = token = None
        source = "the AWS default chain"
    return S3Settings(
        endpoint_url=pick("endpoint_url", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
        region=pick("region", "AWS_REGION", "AWS_DEFAULT_REGION"),
        access_key_id=ak,
        secret_access_key=sk,
        session_token=token or None,
        max_attempts=int(pick("max_attempts", "KOCORPUS_S3_MAX_ATTEMPTS") or S3Settings.max_attempts),
        connect_timeout=float(pick("connect_timeout", "KOCORPUS_S3_CONNECT_TIMEOUT") or S3Settings.connect_timeout),
        request_timeout=float(pick("request_timeout", "KOCORPUS_S3_REQUEST_TIMEOUT") or S3Settings.request_timeout),
        credentials_from=source,
    )


def share_with_spark(spark) -> dict[str, str]:
    """Hand the S3 settings in force to the Python workers of ``spark`` (local or cluster).

    They travel as environment variables of the Python workers (the
    SparkContext's ``environment``), not as Spark conf, so they do not show in
    the Spark UI or event logs. Returns the variable names set (no values).
    Nothing is set when the driver has no explicit settings: executors then
    use their own environment or the AWS default chain.
    """
    s = s3_settings()
    values = {
        "endpoint_url": s.endpoint_url, "region": s.region, "access_key_id": s.access_key_id,
        "secret_access_key": s.secret_access_key, "session_token": s.session_token,
    }
    if any(values.values()) or _CONFIGURED:
        values.update(max_attempts=s.max_attempts, connect_timeout=s.connect_timeout, request_timeout=s.request_timeout)
    env = spark.sparkContext.environment
    for key, var in _ENV.items():
        if values.get(key) not in (None, ""):
            env[var] = str(values[key])
        else:
            env.pop(var, None)
    return sorted(_ENV[k] for k, v in values.items() if v not in (None, ""))


def is_url(path: str) -> bool:
    return "://" in path


def filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem for ``path`` and the path within it."""
    if path.startswith("s3://"):
        return _s3(), path[len("s3://") :]
    if path.startswith("file://"):
        path = path[len("file://") :]
    return pafs.LocalFileSystem(), os.path.abspath(path)


def _s3() -> pafs.FileSystem:
    s = s3_settings()
    kwargs: dict = {}
    if s.endpoint_url:
        kwargs["endpoint_override"] = re.sub(r"^https?://", "", s.endpoint_url)
        kwargs["scheme"] = "http" if s.endpoint_url.startswith("http://") else "https"
    if s.region:
        kwargs["region"] = s.region
    if s.access_key_id and s.secret_access_key:
        kwargs.update(access_key=s.access_key_id, secret_key=s.secret_access_key)
        if s.session_token:
            kwargs["session_token"] = s.session_token
    kwargs.update(
        connect_timeout=s.connect_timeout,
        request_timeout=s.request_timeout,
        retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=s.max_attempts),
    )
    return pafs.PyFileSystem(_S3Handler(pafs.S3FileSystem(**kwargs), s))


def boto3_client(**kwargs):
    """A boto3 S3 client with the same endpoint, region, credentials and retry policy (standard mode)."""
    import boto3
    from botocore.config import Config

    s = s3_settings()
    config = Config(
        retries={"mode": "standard", "max_attempts": s.max_attempts},
        connect_timeout=s.connect_timeout,
        read_timeout=s.request_timeout,
    )
    args = {"endpoint_url": s.endpoint_url, "region_name": s.region, "config": config}
    if s.access_key_id:
        args.update(
            aws_access_key_id=s.access_key_id, aws_secret_access_key=s.secret_access_key,
            aws_session_token=s.session_token,
        )
    return boto3.client("s3", **{**args, **kwargs})


_DENIED = re.compile(
    r"ACCESS_DENIED|SIGNATURE_DOES_NOT_MATCH|INVALID_ACCESS_KEY_ID|InvalidAccessKeyId|SignatureDoesNotMatch"
    r"|AccessDenied|ExpiredToken|InvalidToken|HTTP status 403"
)


class _S3Handler(pafs.FileSystemHandler):
    """Delegates to pyarrow's S3 filesystem and turns its errors into ``StorageError`` messages."""

    def __init__(self, fs: pafs.S3FileSystem, settings: S3Settings):
        self.fs = fs
        self.settings = settings

    def __repr__(self) -> str:
        return f"<kocorpus S3 filesystem at {self.settings.endpoint_label}>"

    def _fail(self, err: OSError, path: str, action: str) -> StorageError:
        s = self.settings
        detail = str(err)
        for secret in s.secrets():
            detail = detail.replace(secret, REDACTED)
        bucket = path.split("/", 1)[0]
        if _DENIED.search(detail):
            return S3AccessError(
                f"S3 refused access while {action} s3://{path} (bucket {bucket!r}) at {s.endpoint_label}: the "
                f"credentials from {s.credentials_from} are wrong, expired or lack permission on this bucket. "
                f"Set [storage] access_key_id/secret_access_key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. "
                f"({detail})"
            )
        return StorageError(
            f"S3 error while {action} s3://{path} at {s.endpoint_label} "
            f"(after up to {s.max_attempts} tries): {detail}"
        )

    def _call(self, action: str, path: str, fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            if type(e) is not OSError:  # FileNotFoundError & co. keep their meaning; StorageError passes
                raise
            raise self._fail(e, path, action) from None

    def get_type_name(self):
        return "kocorpus-s3"

    def normalize_path(self, path):
        return self.fs.normalize_path(path)

    def get_file_info(self, paths):
        return [self._call("reading information on", p, self.fs.get_file_info, p) for p in paths]

    def get_file_info_selector(self, selector):
        return self._call("listing", selector.base_dir, self.fs.get_file_info, selector)

    def create_dir(self, path, recursive):
        return self._call("creating", path, lambda: self.fs.create_dir(path, recursive=recursive))

    def delete_dir(self, path):
        return self._call("deleting", path, self.fs.delete_dir, path)

    def delete_dir_contents(self, path, missing_dir_ok=False):
        return self._call("deleting under", path, lambda: self.fs.delete_dir_contents(path, missing_dir_ok=missing_dir_ok))

    def delete_root_dir_contents(self):
        raise StorageError("refusing to delete every bucket's contents")

    def delete_file(self, path):
        return self._call("deleting", path, self.fs.delete_file, path)

    def move(self, src, dest):
        return self._call(f"moving to s3://{dest}", src, self.fs.move, src, dest)

    def copy_file(self, src, dest):
        return self._call(f"copying to s3://{dest}", src, self.fs.copy_file, src, dest)

    def open_input_stream(self, path):
        return self._call("opening", path, lambda: self.fs.open_input_stream(path, compression=None))

    def open_input_file(self, path):
        return self._call("opening", path, self.fs.open_input_file, path)

    def open_output_stream(self, path, metadata):
        return self._call("writing", path, lambda: self.fs.open_output_stream(path, compression=None, metadata=metadata))

    def open_append_stream(self, path, metadata):
        raise StorageError(f"S3 objects cannot be appended to: s3://{path}")


def _split_glob(pattern: str) -> tuple[str, str]:
    """Split a glob into its literal directory prefix and the rest."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if any(c in part for c in "*?[{"):
            return "/".join(parts[:i]), "/".join(parts[i:])
    return pattern, ""


def list_files(pattern: str) -> list[tuple[str, int]]:
    """Files matching a glob, sorted, as ``(url_or_path, size)``.

    Glob semantics are wcmatch's: ``*`` and ``?`` stay within a folder, ``**``
    matches across folders, ``[abc]`` / ``[!abc]`` are (negated) classes, and
    ``{a,b}`` alternatives. A pattern that names a folder lists every file under
    it. Files whose name starts with ``.`` or ``_`` (hidden, in-progress) are
    never listed.
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
    for f in fs.get_file_info(selector):
        if f.type != pafs.FileType.File:
            continue
        rel = f.path[len(prefix) :].lstrip("/")
        if rel.split("/")[-1].startswith((".", "_")):
            continue
        if not rest or glob.globmatch(rel, rest, flags=GLOB_FLAGS):
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


def _outer(original: str, inner: str) -> str:
    return "s3://" + inner if original.startswith("s3://") else inner


def open_input(path: str) -> BinaryIO:
    """Open a file or object for streaming reads."""
    fs, inner = filesystem(path)
    return fs.open_input_stream(inner, compression=None)


def open_random_access(path: str):
    fs, inner = filesystem(path)
    return fs.open_input_file(inner)


def join(base: str, rel: str) -> str:
    """``rel`` under ``base`` (a local folder or an ``s3://`` prefix); a URL or absolute ``rel`` stays as it is."""
    if is_url(rel) or rel.startswith("/"):
        return rel
    return f"{str(base).rstrip('/')}/{rel}"


def exists(path: str) -> bool:
    fs, inner = filesystem(path)
    return fs.get_file_info(inner).type != pafs.FileType.NotFound


def is_dir(path: str) -> bool:
    fs, inner = filesystem(path)
    return fs.get_file_info(inner).type == pafs.FileType.Directory


def read_bytes(path: str) -> bytes | None:
    """The whole file or object at ``path``; None when it does not exist."""
    fs, inner = filesystem(path)
    try:
        with fs.open_input_stream(inner) as f:
            return f.read()
    except FileNotFoundError:
        return None


def copy_file(src: str, dest: str) -> None:
    """Stream ``src`` to ``dest`` (each local or ``s3://``) in 8 MiB pieces, creating ``dest``'s folder."""
    fs, inner = filesystem(dest)
    fs.create_dir(inner.rsplit("/", 1)[0], recursive=True)
    with open_input(src) as f, fs.open_output_stream(inner) as out:
        while chunk := f.read(8 << 20):
            out.write(chunk)

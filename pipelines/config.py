"""The run configuration: one TOML file, parsed into typed sections.

``[run]``, ``[spark]`` and ``[[sources]]`` are typed here. Every other section
(``[normalize]``, ``[langid]``, ``[quality]``, ``[pii]``, ``[policy]``,
``[dedup]``, ``[tokenizer]``, ``[shards]``, ``[train]``...) is kept as a plain
table and handed to the component that owns it (``from_config``), so a
component adds options without touching this module.

Relative paths in the file are resolved against the file's folder.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kocorpus.pipelines.storage import redacted

SOURCE_KINDS = ("crawl", "licensed")
FORMATS = ("jsonl", "parquet", "text", "warc")


class ConfigError(ValueError):
    """The configuration file is invalid; the message says where and why."""


@dataclass
class SourceConfig:
    """One declared input: what it is, under which licence, where and how to read it."""

    name: str
    kind: str  # "crawl" | "licensed"
    license: str  # SPDX id or contract reference
    format: str  # jsonl | parquet | text | warc
    path: str  # glob; local path or s3://bucket/prefix/*.jsonl.gz
    fields: dict[str, str] = field(default_factory=dict)  # text/id/url/date -> column name
    encoding: str | None = None  # declared encoding; None means detect

    def field_name(self, role: str) -> str | None:
        defaults = {"text": "text", "id": "id", "url": "url", "date": "date"}
        return self.fields.get(role, defaults.get(role))


@dataclass
class RunConfig:
    root: str = "out"
    seed: int = 1234
    #: Largest document accepted, in bytes of text; larger ones are rejected at ingest.
    max_doc_bytes: int = 8 * 1024 * 1024


@dataclass
class SparkConfig:
    master: str = "local[*]"
    app_name: str = "kocorpus"
    conf: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    run: RunConfig
    spark: SparkConfig
    sources: list[SourceConfig]
    sections: dict[str, dict[str, Any]]  # every other table, by name
    path: str | None = None  # the file it was read from

    def section(self, name: str) -> dict[str, Any]:
        """The table ``[name]`` (a copy), empty when absent."""
        return copy.deepcopy(self.sections.get(name, {}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": asdict(self.run),
            "spark": asdict(self.spark),
            "sources": [asdict(s) for s in self.sources],
            **self.sections,
            **({"storage": redacted(self.sections["storage"])} if "storage" in self.sections else {}),
        }

    def sha256(self) -> str:
        """Hash of the resolved configuration (canonical JSON); stable across key order.

        ``[run] root`` is left out: where the outputs go does not change what they are.
        """
        d = self.to_dict()
        d["run"] = {k: v for k, v in d["run"].items() if k != "root"}
        blob = json.dumps(d, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> Config:
    """Read and validate a TOML config file."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: invalid TOML: {e}") from None
    if overrides:
        _merge(raw, overrides)
    return parse_config(raw, base_dir=p.resolve().parent, path=str(p))


def parse_config(raw: dict[str, Any], base_dir: str | os.PathLike = ".", path: str | None = None) -> Config:
    base = Path(base_dir)
    raw = copy.deepcopy(raw)
    run_raw = raw.pop("run", {})
    spark_raw = raw.pop("spark", {})
    sources_raw = raw.pop("sources", [])
    run = _build(RunConfig, run_raw, "run")
    run.root = _resolve(run.root, base)
    spark = _build(SparkConfig, spark_raw, "spark")
    spark.conf = {str(k): str(v) for k, v in spark.conf.items()}
    if not isinstance(sources_raw, list):
        raise ConfigError("[[sources]] must be an array of tables")
    sources = []
    seen = set()
    for i, s in enumerate(sources_raw):
        src = _build(SourceConfig, s, f"sources[{i}]")
        if src.name in seen:
            raise ConfigError(f"sources[{i}]: duplicate source name {src.name!r}")
        seen.add(src.name)
        if src.kind not in SOURCE_KINDS:
            raise ConfigError(f"sources[{i}] ({src.name}): kind must be one of {SOURCE_KINDS}, got {src.kind!r}")
        if src.format not in FORMATS:
            raise ConfigError(f"sources[{i}] ({src.name}): format must be one of {FORMATS}, got {src.format!r}")
        src.path = _resolve(src.path, base)
        sources.append(src)
    sections = {}
    for k, v in raw.items():
        if not isinstance(v, dict):
            raise ConfigError(f"top-level key {k!r} must be a table")
        sections[k] = _resolve_paths(v, base)
    return Config(run=run, spark=spark, sources=sources, sections=sections, path=path)


def _build(cls, values: dict[str, Any], where: str):
    if not isinstance(values, dict):
        raise ConfigError(f"[{where}] must be a table")
    known = set(cls.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"[{where}]: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    try:
        return cls(**values)
    except TypeError as e:
        raise ConfigError(f"[{where}]: {e}") from None


def _resolve(p: str, base: Path) -> str:
    if "://" in p or os.path.isabs(p):
        return p
    return str((base / p).resolve()) if not any(c in p for c in "*?[") else str(base.resolve() / p)


def _resolve_paths(table: dict[str, Any], base: Path) -> dict[str, Any]:
    """Resolve values of keys ending in ``_path`` / ``_file`` / ``_dir`` against ``base``."""
    out = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out[k] = _resolve_paths(v, base)
        elif isinstance(v, str) and k.endswith(("_path", "_file", "_dir")) and v:
            out[k] = _resolve(v, base)
        else:
            out[k] = v
    return out


def _merge(dst: dict, src: dict) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = v

"""The run configuration: one TOML file, validated by one pydantic model per section.

Every table of the file has a model below; an unknown table or key is an error
that names it and the closest valid name (``[langid] min_scor: unknown key;
did you mean 'min_score'?``), and a value of the wrong type names its key and
what was expected. Loading raises :class:`ConfigError`, which the CLI turns
into exit code 2.

``[run]``, ``[spark]`` and ``[[sources]]`` carry their defaults here. The other
sections (``[normalize]``, ``[langid]``, ``[quality]``, ``[pii]``, ``[dedup]``,
``[tokenizer]``, ``[shards]``...) only name and type their keys: their defaults
live with the component that owns them (its constructor), so ``section(name)``
returns just the keys the file set, and the component fills in the rest. A test
checks that each model's keys are exactly its component's options.

Relative paths in the file are resolved against the file's folder: source
paths and every value of a key ending in ``_path``, ``_file`` or ``_dir``.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kocorpus.storage import redacted

SOURCE_KINDS = ("crawl", "licensed")
FORMATS = ("jsonl", "parquet", "text", "warc")
FIELD_ROLES = ("text", "id", "url", "date")


class ConfigError(ValueError):
    """The configuration file is invalid; the message says where and why."""


class Section(BaseModel):
    """A table of the config file: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    def set_keys(self) -> dict[str, Any]:
        """The keys the file set (defaults left to the component that owns the section)."""
        return self.model_dump(exclude_unset=True)


# --------------------------------------------------------------------------- run, spark, sources


class RunConfig(Section):
    root: str = "out"  # local folder that holds <root>/runs/<run_id>/
    seed: int = 1234
    #: Largest document accepted, in bytes of text; larger ones are rejected at ingest.
    max_doc_bytes: int = Field(8 * 1024 * 1024, gt=0)


class SparkConfig(Section):
    master: str = "local[*]"
    app_name: str = "kocorpus"
    conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("conf", mode="before")
    @classmethod
    def _stringify(cls, v):
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else v


class SourceConfig(Section):
    """One declared input: what it is, under which licence, where and how to read it."""

    name: str = Field(min_length=1)
    kind: Literal["crawl", "licensed"]
    license: str  # SPDX id or contract reference
    format: Literal["jsonl", "parquet", "text", "warc"]
    path: str  # glob; local path or s3://bucket/prefix/*.jsonl.gz
    fields: dict[Literal["text", "id", "url", "date"], str] = Field(default_factory=dict)  # role -> column name
    encoding: str | None = None  # declared encoding; None means detect
    #: WARC only: keep a record only when Common Crawl's ``WARC-Identified-Content-Language``
    #: header (when present) names one of these ISO 639-3 codes first (e.g. ["kor"]). Off by default.
    content_languages: list[str] | None = None

    def field_name(self, role: str) -> str | None:
        return self.fields.get(role, role if role in FIELD_ROLES else None)


# --------------------------------------------------------------------------- component sections


class StorageSection(Section):
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    max_attempts: int | None = Field(None, ge=1)
    connect_timeout: float | None = Field(None, gt=0)
    request_timeout: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _pair(self):
        if bool(self.access_key_id) != bool(self.secret_access_key):
            raise ValueError("access_key_id and secret_access_key go together (set both or neither)")
        return self


class ExtractSection(Section):
    """``[extract]``: HTML main-content extraction (``kocorpus.sources.extract.HtmlExtractor``)."""

    engine: Literal["resiliparse", "trafilatura", "hybrid", "builtin"] | None = None
    favor_precision: bool | None = None
    include_comments: bool | None = None
    include_tables: bool | None = None
    deduplicate: bool | None = None
    trafilatura_fast: bool | None = None
    main_content: bool | None = None
    resiliparse_comments: bool | None = None
    post_meta: bool | None = None
    alt_texts: bool | None = None
    rescue_ratio: float | None = Field(None, ge=0, le=1)
    container_share: float | None = Field(None, ge=0, le=1)
    max_trafilatura_chars: int | None = Field(None, ge=0)
    korean_share: float | None = Field(None, ge=0, le=1)


class UrlSection(Section):
    """``[url]``: the URL blocklist step (``kocorpus.sources.urls.UrlBlocklistFilter``)."""

    korean: bool | None = None
    ut1: bool | None = None
    allow_domains: list[str] | None = None
    extra_domains: list[str] | None = None
    soft_token_threshold: int | None = Field(None, ge=1)
    korean_list_text: str | None = None
    source_kinds: list[Literal["crawl", "licensed"]] | None = None


class FilterSection(Section):
    steps: list[str] | None = None


class NormalizeSection(Section):
    max_control_ratio: float | None = None
    fix_mojibake: bool | None = None


class HoldoutSection(Section):
    hashes_file: str | None = None


class PolicySection(Section):
    allowed: list[str] | None = None
    attribution: list[str] | None = None
    forbidden: list[str] | None = None
    opt_out_domains: list[str] | None = None
    opt_out_url_prefixes: list[str] | None = None
    opt_out_file: str | None = None
    honor_tdm_reservation: bool | None = None


class LangIdSection(Section):
    languages: list[str] | None = None
    min_score: float | None = None
    model_path: str | None = None
    max_chars: int | None = Field(None, gt=0)


Ratio = float | Literal[False]  # `false` switches a rule off
NGramFracs = list[tuple[int, float]] | dict[str, float] | Literal[False]


class QualityClassifierSection(Section):
    high_quality: list[str] | None = None
    low_quality: list[str] | None = None
    output_path: str | None = None
    max_docs_per_class: int | None = None
    holdout: float | None = None
    # fastText options
    epoch: int | None = None
    lr: float | None = None
    dim: int | None = None
    wordNgrams: int | None = None
    minn: int | None = None
    maxn: int | None = None
    bucket: int | None = None
    thread: int | None = None
    seed: int | None = None


class QualitySection(Section):
    # options
    profile: str | None = None
    word_rules: bool | None = None
    engine: Literal["signals", "datatrove"] | None = None
    kiwi_model: str | None = None
    classifier_path: str | None = None
    min_classifier_score: float | None = None
    source_profiles: dict[str, str] | None = None
    classifier: QualityClassifierSection | None = None
    # thresholds: FineWeb-2's (datatrove argument names)
    line_punct_thr: Ratio | None = None
    line_punct_exclude_zero: bool | None = None
    short_line_thr: Ratio | None = None
    short_line_length: int | None = None
    char_duplicates_ratio: Ratio | None = None
    new_line_ratio: Ratio | None = None
    dup_line_frac: Ratio | None = None
    dup_para_frac: Ratio | None = None
    dup_line_char_frac: Ratio | None = None
    dup_para_char_frac: Ratio | None = None
    top_n_grams: NGramFracs | None = None
    dup_n_grams: NGramFracs | None = None
    min_doc_words: int | Literal[False] | None = None
    max_doc_words: int | Literal[False] | None = None
    min_avg_word_length: Ratio | None = None
    max_avg_word_length: Ratio | None = None
    max_symbol_word_ratio: Ratio | None = None
    max_bullet_lines_ratio: Ratio | None = None
    max_ellipsis_lines_ratio: Ratio | None = None
    max_non_alpha_words_ratio: Ratio | None = None
    min_stop_words: int | Literal[False] | None = None
    stop_words: list[str] | None = None
    # what the line-punctuation and alphabetic-word rules count (FineWeb-2's choice unless set)
    line_punct_closers: bool | None = None
    line_punct_endings: list[str] | None = None
    alpha_words_skip_symbols: bool | None = None
    alpha_words_count_numbers: bool | None = None
    # thresholds: the Korean rules
    remove_boilerplate: bool | None = None
    boilerplate_max_line_chars: int | None = None
    min_chars: int | Literal[False] | None = None
    min_words: int | Literal[False] | None = None
    min_hangul_ratio: Ratio | None = None
    max_jamo_noise_ratio: Ratio | None = None
    max_spam_ratio: Ratio | None = None
    min_spam_hits: int | None = None


class PiiSection(Section):
    actions: dict[str, Literal["redact", "keep", "drop"]] | None = None
    context_chars: int | None = Field(None, ge=0)
    today: str | None = None  # ISO date; tests only


class DedupSection(Section):
    exact: bool | None = None
    near: bool | None = None
    threshold: float | None = Field(None, gt=0, le=1)
    num_perm: int | None = Field(None, ge=2)
    seed: int | None = None
    shingle: Literal["char", "word"] | None = None
    ngram: int | None = Field(None, ge=1)
    verify: bool | None = None
    lsh_weights: tuple[float, float] | None = None
    bands: int | None = Field(None, ge=1)
    rows: int | None = Field(None, ge=1)
    survivor_order: list[str] | None = None
    max_iterations: int | None = Field(None, ge=1)
    index_dir: str | None = None


class TokenizerSection(Section):
    path: str | None = None  # a trained tokenizer.json to use instead of training one
    method: Literal["kiwi", "bpe"] | None = None
    vocab_size: int | None = Field(None, gt=0)
    sample_max_chars: int | None = Field(None, gt=0)
    options: dict[str, Any] | None = None


class ShardsSection(Section):
    seq_len: int | None = Field(None, gt=0)
    rows_per_shard: int | None = Field(None, gt=0)
    row_group_bytes: int | None = Field(None, gt=0)


class TrainSection(Section):
    """``[train]``: the run (``manifest``, ``preset``, ``steps``, ``out``) and every ``TrainOptions`` field."""

    manifest: str | None = None
    preset: str | None = None
    steps: int | None = Field(None, gt=0)
    out: str | None = None
    micro_batch: int | None = None
    grad_accum: int | None = None
    lr: float | None = None
    min_lr_ratio: float | None = None
    warmup_steps: int | None = None
    weight_decay: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    grad_clip: float | None = None
    seed: int | None = None
    device: str | None = None
    precision: str | None = None
    compile: bool | str | None = None
    fused_adamw: bool | str | None = None
    doc_mask: bool | None = None
    num_workers: int | None = None
    window_blocks: int | None = None
    cache_dir: str | None = None
    val_manifest: str | None = None
    val_rows: int | None = None
    eval_every: int | None = None
    eval_batches: int | None = None
    ckpt_every: int | None = None
    keep_checkpoints: int | None = None
    log_every: int | None = None
    resume: bool | None = None
    stop_after: int | None = None
    progress: bool | str | None = None
    peak_tflops: float | None = None
    cpu_threads: int | None = None


class AblateSection(Section):
    """``[ablate]``: ``kocorpus ablate``'s defaults (flags override them)."""

    arms: list[str] | None = None
    preset: Literal["cpu", "gpu"] | None = None
    seeds: int | None = Field(None, ge=1)
    tokens: int | None = Field(None, gt=0)
    eval_sources: list[str] | None = None
    eval_fraction: float | None = Field(None, gt=0, le=1)
    eval_path: str | None = None
    max_eval_texts: int | None = Field(None, gt=0)
    arm: dict[str, dict[str, dict[str, Any]]] | None = None  # [ablate.arm.NAME.<section>] custom arms


class GatesSection(Section):
    min_korean_share: float | None = None
    korean_doc_min_hangul: float | None = None
    drop_rate_band: float | None = None
    trailing_runs: int | None = None
    min_output_documents: int | None = None
    deep_verify: bool | None = None


class NightlySection(Section):
    publish_dir: str | None = None
    drops: str | None = None
    gates: GatesSection | None = None


#: Every table the file may hold besides [run], [spark] and [[sources]], with its model.
SECTIONS: dict[str, type[Section]] = {
    "storage": StorageSection,
    "extract": ExtractSection,
    "url": UrlSection,
    "filter": FilterSection,
    "normalize": NormalizeSection,
    "holdout": HoldoutSection,
    "policy": PolicySection,
    "langid": LangIdSection,
    "quality": QualitySection,
    "pii": PiiSection,
    "dedup": DedupSection,
    "tokenizer": TokenizerSection,
    "shards": ShardsSection,
    "train": TrainSection,
    "nightly": NightlySection,
    "ablate": AblateSection,
}


# --------------------------------------------------------------------------- the whole file


class Config:
    """A validated configuration: typed ``run``, ``spark``, ``sources`` and the other sections' set keys."""

    def __init__(self, run: RunConfig, spark: SparkConfig, sources: list[SourceConfig], sections: dict[str, dict], path: str | None = None):
        self.run = run
        self.spark = spark
        self.sources = sources
        self.sections = sections  # name -> the keys the file set (validated), paths resolved
        self.path = path  # the file it was read from

    def section(self, name: str) -> dict[str, Any]:
        """The table ``[name]`` as set in the file (a copy), empty when absent."""
        return copy.deepcopy(self.sections.get(name, {}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run.model_dump(),
            "spark": self.spark.model_dump(),
            "sources": [s.model_dump() for s in self.sources],
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
    """Read and validate a TOML config file; ``overrides`` are merged over it first."""
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
    """Validate a parsed config table (as TOML gives it); relative paths resolve against ``base_dir``."""
    base = Path(base_dir)
    raw = copy.deepcopy(raw)
    where = f"{path}: " if path else ""
    run = _validate(RunConfig, raw.pop("run", {}), "[run]", where)
    run.root = _resolve(run.root, base)
    spark = _validate(SparkConfig, raw.pop("spark", {}), "[spark]", where)
    sources_raw = raw.pop("sources", [])
    if not isinstance(sources_raw, list):
        raise ConfigError(f"{where}[[sources]] must be an array of tables")
    sources: list[SourceConfig] = []
    for i, s in enumerate(sources_raw):
        label = f"[[sources]] #{i + 1}" + (f" ({s['name']})" if isinstance(s, dict) and isinstance(s.get("name"), str) else "")
        src = _validate(SourceConfig, s, label, where)
        if any(o.name == src.name for o in sources):
            raise ConfigError(f"{where}{label}: duplicate source name {src.name!r}")
        src.path = _resolve(src.path, base)
        sources.append(src)
    sections: dict[str, dict[str, Any]] = {}
    for name, table in raw.items():
        model = SECTIONS.get(name)
        if model is None:
            raise ConfigError(f"{where}[{name}]: unknown table{_did_you_mean(name, ['run', 'spark', 'sources', *SECTIONS])}")
        sections[name] = _resolve_paths(_validate(model, table, f"[{name}]", where).set_keys(), base)
    return Config(run=run, spark=spark, sources=sources, sections=sections, path=path)


def _validate(model: type[Section], table: Any, label: str, where: str) -> Section:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}{label} must be a table, got {type(table).__name__}")
    try:
        return model.model_validate(table)
    except ValidationError as e:
        raise ConfigError(where + "; ".join(_message(model, label, err) for err in e.errors())) from None


def _message(model: type[Section], label: str, err: dict) -> str:
    loc = [str(x) for x in err["loc"] if not isinstance(x, int)]
    key = ".".join(loc)
    if err["type"] == "extra_forbidden":
        owner = model
        for part in loc[:-1]:  # a nested table, e.g. [quality.classifier]
            annotation = owner.model_fields[part].annotation
            owner = next((a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type) and issubclass(a, Section)), owner)
        table = label if len(loc) == 1 else f"{label[:-1]}.{'.'.join(loc[:-1])}]"
        return f"{table} {loc[-1]}: unknown key{_did_you_mean(loc[-1], list(owner.model_fields))}"
    if err["type"] == "missing":
        return f"{label} {key}: required"
    if err["type"] == "value_error":
        return f"{label}: {err['msg'].removeprefix('Value error, ')}"
    return f"{label} {key}: {err['msg']} (got {err.get('input')!r})"


def _did_you_mean(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; valid: {', '.join(sorted(valid))}"


def _resolve(p: str, base: Path) -> str:
    if "://" in p or os.path.isabs(p):
        return p
    return str((base / p).resolve()) if not any(c in p for c in "*?[{") else str(base.resolve() / p)


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

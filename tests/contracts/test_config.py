"""The config file's schema: unknown keys and tables are errors with the closest name, exit code 2 from the CLI,
and each section's keys are exactly the options of the component that owns it."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kocorpus import config as C
from kocorpus.config import ConfigError, load_config, parse_config
from kocorpus.sample import config_path


def error(raw: dict) -> str:
    with pytest.raises(ConfigError) as e:
        parse_config(raw)
    return str(e.value)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ({"langid": {"min_scor": 0.5}}, "[langid] min_scor: unknown key; did you mean 'min_score'?"),
        ({"shards": {"seqlen": 512}}, "[shards] seqlen: unknown key; did you mean 'seq_len'?"),
        ({"quality": {"line_punct_th": 0.1}}, "[quality] line_punct_th: unknown key; did you mean 'line_punct_thr'?"),
        ({"quality": {"classifier": {"hig_quality": ["a"]}}}, "[quality.classifier] hig_quality: unknown key; did you mean 'high_quality'?"),
        ({"nightly": {"gates": {"min_korean": 0.5}}}, "[nightly.gates] min_korean: unknown key; did you mean 'min_korean_share'?"),
        ({"qualty": {}}, "[qualty]: unknown table; did you mean 'quality'?"),
        ({"run": {"seeed": 1}}, "[run] seeed: unknown key; did you mean 'seed'?"),
        ({"dedup": {"threshold": 1.5}}, "[dedup] threshold: Input should be less than or equal to 1"),
        ({"storage": {"access_key_id": "a"}}, "[storage]: access_key_id and secret_access_key go together"),
    ],
)
def test_bad_keys_and_values_name_the_key(raw, expected):
    assert expected in error(raw)


def test_source_errors_name_the_source():
    msg = error({"sources": [{"name": "news", "kind": "web", "license": "x", "format": "jsonl", "path": "p"}]})
    assert "[[sources]] #1 (news) kind" in msg and "'crawl' or 'licensed'" in msg
    assert "duplicate source name" in error({"sources": [{"name": "a", "kind": "crawl", "license": "x", "format": "jsonl", "path": "p"}] * 2})
    assert "[[sources]] #1 (a) path: required" in error({"sources": [{"name": "a", "kind": "crawl", "license": "x", "format": "jsonl"}]})


def test_cli_exits_2_on_a_typo_before_starting_anything(tmp_path, capsys):
    from kocorpus.pipelines.cli import main

    bad = tmp_path / "bad.toml"
    text = config_path().read_text().replace("[langid]", "[langid]\nmin_scor = 0.5", 1)
    bad.write_text(text, encoding="utf-8")
    assert main(["run", "--config", str(bad), "--root", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "min_scor: unknown key; did you mean 'min_score'?" in err and "Traceback" not in err


def test_the_sample_config_loads_and_sections_hold_only_what_the_file_set():
    cfg = load_config(config_path())
    assert cfg.section("quality")["profile"] == "default"
    assert all(v is not None for table in cfg.sections.values() for v in table.values())


def _options(cls) -> set[str]:
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls)}
    return set(inspect.signature(cls.__init__).parameters) - {"self"}


def test_each_section_names_exactly_its_components_options():
    from kocorpus.dedup.settings import DedupSettings
    from kocorpus.filters.holdout import HeldOutFilter
    from kocorpus.filters.langid import FastTextLanguageId
    from kocorpus.filters.normalize import TextNormalizer
    from kocorpus.filters.pii import KoreanPiiRedactor
    from kocorpus.filters.policy import LicensePolicy
    from kocorpus.filters.quality import _OPTION_KEYS, THRESHOLD_KEYS
    from kocorpus.filters.quality_classifier import TRAIN_DEFAULTS
    from kocorpus.orchestration.gates import GateSettings
    from kocorpus.sources.extract import HtmlExtractor
    from kocorpus.sources.urls import UrlBlocklistFilter
    from kocorpus.storage import STORAGE_KEYS
    from kocorpus.tokenizer.shards import ShardSettings
    from kocorpus.tokenizer.train import TokenizerSettings
    from kocorpus.training.cli import RUN_KEYS
    from kocorpus.training.train import TrainOptions

    fields = lambda m: set(m.model_fields)  # noqa: E731
    assert fields(C.NormalizeSection) == _options(TextNormalizer)
    assert fields(C.PolicySection) == _options(LicensePolicy)
    assert fields(C.LangIdSection) == _options(FastTextLanguageId)
    assert fields(C.PiiSection) == _options(KoreanPiiRedactor)
    assert fields(C.DedupSection) == _options(DedupSettings)
    assert fields(C.QualitySection) == set(THRESHOLD_KEYS) | set(_OPTION_KEYS) | {"classifier"}
    assert fields(C.QualityClassifierSection) == {"high_quality", "low_quality", "output_path", "max_docs_per_class", "holdout"} | set(TRAIN_DEFAULTS)
    assert fields(C.TokenizerSection) == _options(TokenizerSettings)
    assert fields(C.ShardsSection) == _options(ShardSettings)
    assert fields(C.TrainSection) == _options(TrainOptions) | set(RUN_KEYS)
    assert fields(C.GatesSection) == _options(GateSettings)
    assert fields(C.StorageSection) == set(STORAGE_KEYS)
    assert fields(C.ExtractSection) == _options(HtmlExtractor)
    assert fields(C.UrlSection) == _options(UrlBlocklistFilter)
    assert fields(C.HoldoutSection) == _options(HeldOutFilter)


@given(
    section=st.sampled_from(sorted(C.SECTIONS)),
    key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20),
)
def test_any_unknown_key_is_named_in_the_error(section, key):
    model = C.SECTIONS[section]
    if key in model.model_fields:
        return
    msg = error({section: {key: 1}})
    assert f"[{section}] {key}: unknown key" in msg

"""`kocorpus train-tokenizer` from a Parquet file of documents, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import kocorpus
from kocorpus.tokenizer.sample import draw_sample
from kocorpus.tokenizer.train import texts_sha256

SAMPLE_CONFIG = Path(kocorpus.__file__).parent / "sample" / "kocorpus.toml"


def test_train_tokenizer_command(tmp_path, fixture_docs):
    docs = pa.table(
        {
            "doc_id": [f"d{i}" for i in range(len(fixture_docs))],
            "source": ["news" if i % 3 else "forum" for i in range(len(fixture_docs))],
            "text": fixture_docs,
        }
    )
    pq.write_table(docs, tmp_path / "docs.parquet")
    out = tmp_path / "tok"
    cmd = [sys.executable, "-m", "kocorpus.pipelines.cli", "train-tokenizer", "--config", str(SAMPLE_CONFIG)]
    cmd += ["--input", str(tmp_path / "docs.parquet"), "--vocab-size", "600", "--out", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    printed = json.loads(res.stdout[: res.stdout.rindex("}") + 1])
    card = json.loads((out / "tokenizer_card.json").read_text(encoding="utf-8"))
    assert printed["tokenizer"] == str(out / "tokenizer.json") and printed["sha256"] == card["tokenizer_sha256"]
    assert card["method"] == "kiwi" and card["requested_vocab_size"] == 600 and card["vocab_size"] <= 600
    # the sample is the config's seeded, bounded draw over the input (the sample config's seed is 1234)
    assert card["training_data_sha256"] == texts_sha256(draw_sample(docs, max_chars=2_000_000, seed=1234))


def test_train_tokenizer_without_documents_says_so(tmp_path):
    cfg = tmp_path / "k.toml"
    cfg.write_text(SAMPLE_CONFIG.read_text(encoding="utf-8").replace('root = "', f'root = "{tmp_path}/', 1), encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "kocorpus.pipelines.cli", "train-tokenizer", "--config", str(cfg)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 1 and "no finished run" in res.stderr

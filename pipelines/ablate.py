"""``kocorpus ablate``: does this filter, this threshold, this tokenizer make a better model?

One input, several *arms* (a config change each), the same training and the same held-out text:

1. **Ingest once** (run ``ablate-ingest``); every arm reads that ingest stage.
2. **Held-out evaluation text**: ``[ablate] eval_path`` (JSON lines with ``text``), or a
   deterministic ``eval_fraction`` of the documents of ``eval_sources`` (clean, edited
   sources). The texts are normalized as the pipeline normalizes them, and their
   ``text_sha256`` go to a list that every arm's ``holdout`` step rejects (reason
   ``held_out``), so no arm trains on them. After each arm this is checked by hash on
   the arm's kept documents; a hit stops the ablation.
3. **Tokenizers**: one per method the arms use, trained once on the same sample of the
   ingested documents (evaluation documents excluded), so data arms share a tokenizer and
   tokenizer arms differ only in it.
4. **Arms**: the pipeline's ``filter``, ``dedup``, ``tokenize`` and ``shard`` stages with the
   arm's overrides (``raw``: normalize only, no dedup; ``default``; ``lenient``, ``strict``,
   ``korean``: that quality profile; ``no-dedup``; ``classifier>=X``; ``kiwi`` / ``bpe``:
   the tokenizer; or ``[ablate.arm.NAME]`` tables of config sections).
5. **Train** the bundled model on an equal token budget per arm (the same steps, batch, seed
   and schedule; an arm with fewer tokens than the budget repeats its data), for each seed.
6. **Evaluate** every model on the same held-out texts in bits per byte
   (``training/evaluate.py``), and print one table: mean and spread over seeds.

Presets: ``cpu`` (the ``tiny`` model, seq_len 256, minutes per arm on two cores) and ``gpu``
(``124m``, seq_len 1024, bf16 with ``torch.compile`` on one GPU; prints tokens/s and MFU).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import statistics
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from kocorpus.config import Config, load_config
from kocorpus.files import write_json_atomic
from kocorpus.layout import RunLayout
from kocorpus.pipelines.filter import DEFAULT_STEPS
from kocorpus.pipelines.pipeline import run_pipeline
from kocorpus.schemas import sha256_text


@dataclass(frozen=True)
class Arm:
    """A named change to the base config: ``overrides`` are config sections merged over it."""

    name: str
    overrides: dict = field(default_factory=dict)
    tokenizer: str = "kiwi"  # tokenizer method: kiwi | bpe

    @property
    def raw(self) -> bool:
        return self.name == "raw"


NO_DEDUP = {"dedup": {"exact": False, "near": False}}
BUILTIN_ARMS: dict[str, Arm] = {
    "raw": Arm("raw", {"filter": {"steps": ["normalize", "holdout"]}, **NO_DEDUP}),
    "default": Arm("default"),
    "lenient": Arm("lenient", {"quality": {"profile": "lenient"}}),
    "strict": Arm("strict", {"quality": {"profile": "strict"}}),
    "korean": Arm("korean", {"quality": {"profile": "korean"}}),
    "no-dedup": Arm("no-dedup", NO_DEDUP),
    "kiwi": Arm("kiwi", tokenizer="kiwi"),
    "bpe": Arm("bpe", tokenizer="bpe"),
}


@dataclass(frozen=True)
class Preset:
    """How each arm's model is trained: the bundled model's ``model`` preset, shard width, token budget."""

    model: str
    seq_len: int
    tokens: int  # training tokens per arm (per seed)
    micro_batch: int
    vocab_size: int
    seeds: int
    device: str
    precision: str = "auto"
    compile: bool | str = "auto"


PRESETS = {
    "cpu": Preset(model="tiny", seq_len=256, tokens=1_000_000, micro_batch=16, vocab_size=8000, seeds=3, device="cpu"),
    "gpu": Preset(model="124m", seq_len=1024, tokens=500_000_000, micro_batch=32, vocab_size=32000, seeds=2, device="cuda"),
}


def parse_arm(name: str, custom: dict[str, dict]) -> Arm:
    """A built-in arm, ``classifier>=X``, or an ``[ablate.arm.NAME]`` table of config sections
    (its ``[ablate.arm.NAME.tokenizer] method`` picks the tokenizer; the trained one is set by ablate)."""
    if name in custom:
        table = dict(custom[name])
        method = dict(table.pop("tokenizer", {})).get("method", "kiwi")
        return Arm(name, table, tokenizer=method)
    if name.startswith("classifier>="):
        return Arm(name, {"quality": {"min_classifier_score": float(name.split(">=", 1)[1])}})
    if name not in BUILTIN_ARMS:
        raise ValueError(f"unknown arm {name!r}; built in: {sorted(BUILTIN_ARMS)}, classifier>=X, or [ablate.arm.{name}]")
    return BUILTIN_ARMS[name]


@dataclass
class Ablation:
    """One ablation: the base config file, the arms, the preset, where everything goes."""

    config_path: str
    arms: list[Arm]
    preset: Preset
    out: Path
    eval_sources: list[str] = field(default_factory=list)
    eval_fraction: float = 0.1
    eval_path: str | None = None
    max_eval_texts: int = 2000
    overrides: dict = field(default_factory=dict)  # applied to every arm (e.g. the run root of a test)
    progress: Callable[[str], None] = print

    @property
    def root(self) -> str:
        return str(self.out)

    def config(self, extra: dict | None = None) -> Config:
        merged = _merged({"run": {"root": self.root}, "shards": {"seq_len": self.preset.seq_len}}, self.overrides, extra or {})
        return load_config(self.config_path, merged)

    # ---------------------------------------------------------------- steps
    def ingest(self, spark) -> RunLayout:
        cfg = self.config()
        ctx = run_pipeline(cfg, run_id="ablate-ingest", stages=["ingest"], spark=spark, progress=self.progress)
        return ctx.layout

    def eval_set(self, ingest: RunLayout) -> dict:
        """Pick, normalize and write the held-out texts; returns ``{texts, doc_ids, hashes_file, path}``."""
        import pyarrow.dataset as ds

        from kocorpus.filters.normalize import normalize_text

        folder = self.out / "eval"
        folder.mkdir(parents=True, exist_ok=True)
        doc_ids: list[str] = []
        if self.eval_path:
            with open(self.eval_path, encoding="utf-8") as f:
                raw = [json.loads(line)["text"] for line in f if line.strip()]
        else:
            if not self.eval_sources:
                raise ValueError("[ablate] needs eval_path or eval_sources (clean, edited sources to hold text out from)")
            table = ds.dataset(ingest.kept_dir("ingest")).to_table(
                columns=["doc_id", "source", "text"], filter=ds.field("source").isin(self.eval_sources)
            )
            cut = int(self.eval_fraction * 2**32)
            picked = sorted(
                (hashlib.sha256(f"ablate:{d}".encode()).hexdigest(), d, t)
                for d, t in zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist())
                if int(hashlib.sha256(f"ablate:{d}".encode()).hexdigest()[:8], 16) < cut
            )[: self.max_eval_texts]
            doc_ids = [d for _, d, _ in picked]
            raw = [t for _, _, t in picked]
        texts = [t for t in (normalize_text(x) for x in raw) if t]
        if not texts:
            raise ValueError("the held-out evaluation set is empty: raise eval_fraction or name other eval_sources")
        hashes = sorted({sha256_text(t) for t in texts})
        hashes_file = folder / "held_out.sha256"
        hashes_file.write_text("".join(h + "\n" for h in hashes), encoding="utf-8")
        with open(folder / "texts.jsonl", "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        return {"texts": texts, "doc_ids": doc_ids, "hashes": set(hashes), "hashes_file": str(hashes_file), "path": str(folder / "texts.jsonl")}

    def tokenizers(self, ingest: RunLayout, held_out: dict) -> dict[str, str]:
        """One tokenizer per method the arms use, trained on the same sample of the ingested documents."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        from kocorpus.tokenizer.sample import draw_sample
        from kocorpus.tokenizer.train import TokenizerSettings, train_tokenizer

        table = ds.dataset(ingest.kept_dir("ingest")).to_table(columns=["doc_id", "source", "text"])
        if held_out["doc_ids"]:
            table = table.filter(pc.invert(pc.is_in(table.column("doc_id"), pa.array(held_out["doc_ids"], pa.string()))))
        cfg = self.config()
        settings = TokenizerSettings.from_config(cfg.section("tokenizer"))
        texts = [t for t in draw_sample(table, max_chars=settings.sample_max_chars, seed=cfg.run.seed) if sha256_text(t) not in held_out["hashes"]]
        out = {}
        for method in sorted({a.tokenizer for a in self.arms}):
            folder = self.out / "tokenizers" / f"{method}-{self.preset.vocab_size}"
            if not (folder / "tokenizer.json").exists():
                self.progress(f"[ablate] training the {method} tokenizer ({self.preset.vocab_size} entries) on {len(texts)} documents")
                train_tokenizer(texts, folder, vocab_size=self.preset.vocab_size, method=method, seed=cfg.run.seed, **settings.options)
            out[method] = str(folder / "tokenizer.json")
        return out

    def build_arm(self, spark, arm: Arm, ingest: RunLayout, held_out: dict, tokenizer: str) -> dict:
        """Run the arm's filter..shard stages on the shared ingest; check the held-out texts stayed out."""
        import pyarrow.dataset as ds

        base = self.config()
        steps = list(base.section("filter").get("steps", DEFAULT_STEPS))
        if "holdout" not in steps:
            steps.insert(steps.index("normalize") + 1 if "normalize" in steps else 0, "holdout")
        arm_steps = {"filter": {"steps": steps}} if not arm.raw else {}
        extra = _merged(arm_steps, arm.overrides, {"holdout": {"hashes_file": held_out["hashes_file"]}, "tokenizer": {"path": tokenizer}})
        cfg = self.config(extra)
        run_id = f"ablate-{_slug(arm.name)}"
        layout = RunLayout(cfg.run.root, run_id)
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        link = layout.stage_dir("ingest")
        if not link.exists():
            os.symlink(ingest.stage_dir("ingest"), link, target_is_directory=True)
        t0 = time.time()
        ctx = run_pipeline(cfg, run_id=run_id, stages=["filter", "dedup", "tokenize", "shard"], spark=spark, progress=self.progress)
        kept = ds.dataset(layout.kept_dir("dedup")).to_table(columns=["doc_id", "text_sha256"]) if layout.kept_dir("dedup").exists() else None
        leaked = set()
        if kept is not None:
            leaked = (set(kept.column("text_sha256").to_pylist()) & held_out["hashes"]) | (set(kept.column("doc_id").to_pylist()) & set(held_out["doc_ids"]))
        if leaked:
            raise RuntimeError(f"arm {arm.name}: {len(leaked)} held-out evaluation texts reached the training data")
        shard = ctx.stats["shard"]
        return {
            "manifest": str(layout.shard_manifest),
            "documents": shard["documents"],
            "tokens": shard["tokens"],
            "held_out_rejected": ctx.stats["filter"]["rejected"].get("held_out", 0),
            "build_seconds": round(time.time() - t0, 1),
        }

    def train_and_score(self, arm: Arm, built: dict, tokenizer: str, held_out: dict, seed: int) -> dict:
        from kocorpus.training.evaluate import bits_per_byte
        from kocorpus.training.train import train

        p = self.preset
        steps = max(1, math.ceil(p.tokens / (p.micro_batch * p.seq_len)))
        out = self.out / "train" / _slug(arm.name) / f"seed-{seed}"
        result = train(
            built["manifest"], p.model, steps, str(out), seed=seed, micro_batch=p.micro_batch, device=p.device,
            precision=p.precision, compile=p.compile, val_rows=0, eval_every=0, ckpt_every=0, keep_checkpoints=1,
            log_every=max(1, steps // 10), progress=False, resume=False,
        )  # fmt: skip
        score = bits_per_byte(result["checkpoint"], tokenizer, held_out["texts"], device=_device(p.device))
        return {"seed": seed, "steps": steps, "train_tokens": steps * p.micro_batch * p.seq_len, "final_train_loss": result["final_loss"],
                "tokens_per_s": result.get("tokens_per_s"), "mfu": result.get("mfu"), **score.to_dict()}  # fmt: skip

    def run(self, spark=None, seeds: int | None = None) -> dict:
        from kocorpus.pipelines.session import build_spark

        own = spark is None
        if own:
            cfg = self.config()
            spark = build_spark(cfg.spark.master, f"{cfg.spark.app_name}:ablate", cfg.spark.conf, str(self.out / "_spark_checkpoints"))
        try:
            ingest = self.ingest(spark)
            held_out = self.eval_set(ingest)
            self.progress(f"[ablate] {len(held_out['texts'])} held-out evaluation texts, {sum(len(t.encode()) for t in held_out['texts']):,} bytes")
            tokenizers = self.tokenizers(ingest, held_out)
            rows = []
            for arm in self.arms:
                self.progress(f"[ablate] arm {arm.name}: building shards")
                built = self.build_arm(spark, arm, ingest, held_out, tokenizers[arm.tokenizer])
                runs = []
                for seed in range(1, (seeds or self.preset.seeds) + 1):
                    self.progress(f"[ablate] arm {arm.name}: training {self.preset.model}, seed {seed}")
                    runs.append(self.train_and_score(arm, built, tokenizers[arm.tokenizer], held_out, seed))
                rows.append(summarize(arm, built, runs))
        finally:
            if own:
                spark.stop()
        report = {"preset": {"name": _preset_name(self.preset), **asdict(self.preset)}, "eval": {"texts": len(held_out["texts"]),
                  "bytes": sum(len(t.encode()) for t in held_out["texts"]), "path": held_out["path"]}, "arms": rows}  # fmt: skip
        write_json_atomic(self.out / "ablation.json", report)
        (self.out / "ablation.md").write_text(render(report) + "\n", encoding="utf-8")
        return report


def summarize(arm: Arm, built: dict, runs: list[dict]) -> dict:
    """One table row: the arm's data, and bits per byte over its seeds (mean, sample standard deviation, min, max)."""
    bpb = [r["bits_per_byte"] for r in runs]
    ltok = [r["loss_per_token"] for r in runs]
    tps = [r["tokens_per_s"] for r in runs if r.get("tokens_per_s")]
    mfus = [r["mfu"] for r in runs if r.get("mfu") is not None]
    return {
        "arm": arm.name,
        "tokenizer": arm.tokenizer,
        "documents": built["documents"],
        "tokens": built["tokens"],
        "held_out_rejected": built["held_out_rejected"],
        "train_tokens": runs[0]["train_tokens"],
        "epochs": round(runs[0]["train_tokens"] / built["tokens"], 2) if built["tokens"] else None,
        "seeds": len(runs),
        "bits_per_byte": statistics.fmean(bpb),
        "bits_per_byte_sd": statistics.stdev(bpb) if len(bpb) > 1 else 0.0,
        "bits_per_byte_min": min(bpb),
        "bits_per_byte_max": max(bpb),
        "loss_per_token": statistics.fmean(ltok),
        "tokens_per_s": statistics.fmean(tps) if tps else None,
        "mfu": statistics.fmean(mfus) if mfus else None,
        "runs": runs,
    }


COLUMNS = ["arm", "tokenizer", "documents", "tokens", "train_tokens", "epochs", "seeds", "bits_per_byte", "bits_per_byte_sd", "loss_per_token", "tokens_per_s", "mfu"]


def render(report: dict) -> str:
    """The ablation table in Markdown (bits per byte: lower is better)."""
    p = report["preset"]
    head = (f"preset {p['name']}: model {p['model']}, seq_len {p['seq_len']}, {p['tokens']:,} training tokens per arm and seed, "
            f"vocabulary {p['vocab_size']}; held out: {report['eval']['texts']} texts, {report['eval']['bytes']:,} bytes")  # fmt: skip
    lines = [head, "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in report["arms"]:
        cells = []
        for c in COLUMNS:
            v = r.get(c)
            cells.append("" if v is None else f"{v:.4f}" if isinstance(v, float) and c in ("bits_per_byte", "bits_per_byte_sd", "loss_per_token", "mfu")
                         else f"{v:,.0f}" if isinstance(v, float) and c == "tokens_per_s" else f"{v:,}" if isinstance(v, int) else str(v))  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _merged(*tables: dict) -> dict:
    out: dict = {}
    for t in tables:
        for k, v in t.items():
            out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _device(device: str) -> str:
    import torch

    return device if device != "cuda" or torch.cuda.is_available() else "cpu"


def _preset_name(p: Preset) -> str:
    return next((n for n, q in PRESETS.items() if replace(q, tokens=p.tokens, seeds=p.seeds) == p), "custom")

"""The stage runner: runs a run's stages in order, skipping the finished ones.

Rules:
- A stage with a completion marker is skipped, unless ``force`` names it.
- A stage folder without a marker is an interrupted attempt: cleared and redone.
- Once a stage runs, every later stage runs too (its input changed).
- Every stage records counts in, out and rejected by reason in its marker;
  the counts are read back from what was written, so a retried Spark task
  never counts twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from kocorpus import __version__
from kocorpus.config import Config
from kocorpus.files import write_json_atomic
from kocorpus.layout import RunLayout

log = logging.getLogger("kocorpus")


@dataclass
class RunContext:
    """What a stage needs: the Spark session, the config and where the run lives."""

    spark: Any
    cfg: Config
    layout: RunLayout
    stats: dict[str, dict] = field(default_factory=dict)  # stage -> marker contents

    @property
    def run_id(self) -> str:
        return self.layout.run_id


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[RunContext], dict]  # does the work, returns the stage's stats
    description: str = ""


def default_run_id(cfg: Config, today: dt.date | None = None) -> str:
    """``YYYYMMDD-<config hash prefix>``: the same config on the same day resumes the same run."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return f"{today:%Y%m%d}-{cfg.sha256()[:8]}"


def run_stages(
    ctx: RunContext,
    stages: Sequence[Stage],
    only: Sequence[str] | None = None,
    force: bool | Sequence[str] = False,
    progress: Callable[[str], None] = print,
) -> dict[str, dict]:
    """Run ``stages`` (or the named subset, in pipeline order) and return each stage's stats."""
    names = [s.name for s in stages]
    if only:
        unknown = set(only) - set(names)
        if unknown:
            raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages are {names}")
    forced = set(names) if force is True else set(force or [])
    layout = ctx.layout
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    rerun_downstream = False
    for stage in stages:
        if only and stage.name not in only:
            if layout.is_done(stage.name):
                ctx.stats[stage.name] = layout.read_marker(stage.name)
            continue
        if layout.is_done(stage.name) and stage.name not in forced and not rerun_downstream:
            ctx.stats[stage.name] = layout.read_marker(stage.name)
            progress(f"[{stage.name}] done earlier, skipped (use --force to redo)")
            continue
        layout.clear(stage.name)
        layout.stage_dir(stage.name).mkdir(parents=True, exist_ok=True)
        progress(f"[{stage.name}] running: {stage.description}")
        t0 = time.time()
        started = _now()
        stats = stage.run(ctx) or {}
        stats.update(
            stage=stage.name,
            run_id=ctx.run_id,
            started_at=started,
            finished_at=_now(),
            seconds=round(time.time() - t0, 3),
            code_version=__version__,
        )
        layout.mark_done(stage.name, stats)
        ctx.stats[stage.name] = stats
        rerun_downstream = True
        progress(f"[{stage.name}] finished in {stats['seconds']:.1f}s: {_headline(stats)}")
    return ctx.stats


def write_run_manifest(ctx: RunContext, extra: dict[str, Any]) -> None:
    """Record the run: config and its hash, code version, inputs and per-stage timings."""
    doc = {
        "run_id": ctx.run_id,
        "code_version": __version__,
        "config_sha256": ctx.cfg.sha256(),
        "config": ctx.cfg.to_dict(),
        "stages": {k: {kk: v.get(kk) for kk in ("started_at", "finished_at", "seconds")} for k, v in ctx.stats.items() if v},
        **extra,
    }
    write_json_atomic(ctx.layout.run_manifest, doc)


def _headline(stats: dict) -> str:
    if "in" in stats:
        rej = sum(stats["rejected"].values()) if stats.get("rejected") else stats.get("rejected_total", 0)
        return f"in {stats['in']}, kept {stats.get('out')}, rejected {rej}"
    return ", ".join(f"{k}={v}" for k, v in stats.items() if isinstance(v, (int, float)) and k != "seconds")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

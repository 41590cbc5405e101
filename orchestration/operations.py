"""The nightly operations behind the Dagster assets, callable without Dagster.

:class:`NightlyOps` holds the configuration file, the engine that runs the
pipeline's stage jobs (:class:`NightJobs`, handed in by the caller: the Spark
side is ``pipelines/nightly.py``, so this package never imports it) and
that engine's session (given, or started on first use), and runs a night step by step:
:class:`NightlyOps` holds the configuration file and a Spark session (given,
or started on first use from ``[spark]``), and runs a night step by step:
``plan`` -> ``run_stage`` for each stage -> ``gates`` -> ``publish``.
``publish`` re-evaluates the gates and refuses when one fails, then appends
the night as a new dataset version and, after that, adds its documents to
the dedup index (so the next night dedups against them).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Protocol

from kocorpus import storage
from kocorpus.config import Config, load_config
from kocorpus.layout import STAGES
from kocorpus.orchestration import gates as gates_mod
from kocorpus.orchestration import published
from kocorpus.orchestration.nightly import Night, NightlySettings


class NightJobs(Protocol):
    """The engine that runs the pipeline's stage jobs for a night."""

    def start_session(self, cfg: Config) -> Any:
        """A session (a SparkSession) for ``cfg``'s ``[spark]`` settings."""

    def run_stage(self, night: Night, session: Any, name: str, progress: Callable[[str], None]) -> dict:
        """Run one stage of ``night`` (skipped when done, redone when stale); returns its stats."""


class NightlyOps:
    def __init__(
        self,
        config_path: str | Path,
        jobs: NightJobs,
        spark=None,
        overrides: dict[str, Any] | None = None,
        progress: Callable[[str], None] = print,
    ):
        self.config_path = str(config_path)
        self.jobs = jobs
        self.overrides = overrides or {}
        self._spark = spark
        self._cfg: Config | None = None
        self.progress = progress

    @property
    def cfg(self) -> Config:
        if self._cfg is None:
            if not Path(self.config_path).exists():
                raise FileNotFoundError(
                    f"nightly config {self.config_path} not found (set KOCORPUS_NIGHTLY_CONFIG; see docs/nightly.md)"
                )
            self._cfg = load_config(self.config_path, self.overrides)
        return self._cfg

    @property
    def settings(self) -> NightlySettings:
        return NightlySettings.from_config(self.cfg)

    @property
    def spark(self):
        if self._spark is None:
            self._spark = self.jobs.start_session(self.cfg)
        return self._spark

    def night(self, date: str) -> Night:
        return Night(self.cfg, date)

    # -- steps -------------------------------------------------------------
    def plan(self, date: str) -> dict:
        """Choose the night's new input objects (recorded once; a rerun reads the record back)."""
        night = self.night(date)
        if not night.empty and night.read_plan() is not None:
            return night.read_plan()
        target = self.settings.publish_dir
        latest = published.latest(target)
        tokenizer = None
        if latest is not None:
            data = storage.read_bytes(storage.join(target, "tokenizer.json"))
            if data is None:
                raise FileNotFoundError(f"{target}/tokenizer.json is missing: the published dataset is incomplete")
            local = night.layout.run_dir / "published-tokenizer" / "tokenizer.json"
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            tokenizer = str(local)
        return night.plan(
            published.consumed(latest), tokenizer=tokenizer, base_version=int(latest["version"]) if latest else 0
        )

    def run_stage(self, date: str, stage: str) -> dict:
        night = self.night(date)
        if night.empty:
            return {"skipped": "no new inputs"}
        if night.read_plan() is None:
            raise RuntimeError(f"night {date} has no plan yet: materialize its inputs first")
        return self.jobs.run_stage(night, self.spark, stage, self.progress)

    def trailing(self, date: str) -> list[Night]:
        """Published nights before ``date``, oldest first."""
        latest = published.latest(self.settings.publish_dir) or {}
        return [self.night(n["date"]) for n in latest.get("nights", []) if n["date"] < date]

    def gates(self, date: str) -> list[gates_mod.GateResult]:
        return gates_mod.evaluate(self.spark, self.night(date), self.trailing(date))

    def publish(self, date: str) -> dict:
        """Append the night as the next dataset version (refused when a gate fails); idempotent."""
        night = self.night(date)
        plan = night.read_plan()
        if plan is None:
            raise RuntimeError(f"night {date} has no plan: run its stages first")
        target = self.settings.publish_dir
        if not plan["inputs"]:
            latest = published.latest(target)
            return {"status": "nothing new", "version": latest["version"] if latest else 0}
        missing = [name for name in STAGES if not night.layout.is_done(name)]
        if missing:
            raise published.PublishRefused(f"night {date} has unfinished stages {missing}")
        if night.published() is None:
            failed = [g for g in self.gates(date) if not g.passed]
            if failed:
                raise published.PublishRefused(
                    f"night {date} not published, quality gate(s) failed: "
                    + "; ".join(f"{g.name}: {g.detail}" for g in failed)
                )
        manifest = published.append_night(target, night.layout.shard_manifest, date=date, inputs=plan["inputs"])
        version = next(i + 1 for i, n in enumerate(manifest["nights"]) if n["run_id"] == night.run_id)
        indexed = self._index(night)
        record = night.published()
        if record is None:
            record = {
                "run_id": night.run_id,
                "version": version,
                "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "target": target,
                "index": indexed,
            }
            night.mark_published(record)
        return {"status": "published", **record, "latest_version": manifest["version"]}

    def _index(self, night: Night) -> dict:
        """Add the night's published documents to the dedup index (once)."""
        from kocorpus.dedup.index import PublishedIndex, append_to_index

        index_dir = self.settings.index_dir
        if night.run_id in PublishedIndex(self.spark, index_dir).run_ids():
            return {"run_id": night.run_id, "index_dir": index_dir, "already_indexed": True}
        cfg = night.run_config()
        docs = self.spark.read.parquet(str(night.layout.kept_dir("dedup")))
        sigs = ((night.layout.read_marker("dedup") or {}).get("dedup") or {}).get("signatures_path")
        if sigs and not Path(sigs).exists():
            sigs = None
        return append_to_index(self.spark, docs, index_dir, night.run_id, cfg.section("dedup"), signatures=sigs)

    def run_night(self, date: str) -> dict:
        """Plan, every stage, gates and publish of one night, in order (what one Dagster run does)."""
        plan = self.plan(date)
        for name in STAGES:
            self.run_stage(date, name)
        return {"plan": plan, "publish": self.publish(date)}

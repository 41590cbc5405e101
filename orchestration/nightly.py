"""One night of the nightly pipeline: which inputs it consumes, and its stages on the CLI's run layout.

A night is a date ``YYYY-MM-DD``; its run is ``<root>/runs/nightly-<date>/``
(the same :class:`~kocorpus.layout.RunLayout` as ``kocorpus run``).

Incremental rule: a night consumes every input object that matches the
sources' globs, is not already consumed by a published night (same path,
size and mtime; the latest published manifest lists them), and does not sit
under a drop folder dated after the night (``.../2026-12-03/...`` waits for
that night). Objects of an earlier drop folder whose night never ran make
the night refuse (run that night first); late objects of a published
night's folder are taken by the next night. The choice is written once to ``<run>/night-plan.json``; a rerun of
the same date reads it back, so it processes exactly the same objects.

Nights publish in date order: a night refuses to plan while an earlier
night has planned inputs but is not published (its gate failed, or it is
still running). Fix and rerun that night, or discard it by deleting its run
folder.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from kocorpus import storage
from kocorpus.config import Config
from kocorpus.files import write_json_atomic
from kocorpus.layout import STAGES, RunLayout

RUN_PREFIX = "nightly-"
PLAN = "night-plan.json"
PUBLISHED = "published.json"
DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NightOrderError(RuntimeError):
    """An earlier night is planned but not published; nights publish in date order."""


@dataclass(frozen=True)
class NightlySettings:
    """``[nightly]``: where drops arrive (for the sensor), where datasets are published, the gates."""

    publish_dir: str  # local folder or s3://bucket/prefix; versions of the published dataset
    index_dir: str  # dedup index of published documents (local); also set as [dedup] index_dir
    drops: str | None = None  # prefix watched by the sensor: <drops>/<YYYY-MM-DD>/...
    gates: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: Config) -> "NightlySettings":
        s = cfg.section("nightly")
        unknown = set(s) - {"publish_dir", "drops", "gates"}
        if unknown:
            raise ValueError(f"[nightly]: unknown key(s) {sorted(unknown)}; known: drops, gates, publish_dir")
        root = Path(cfg.run.root)
        index_dir = cfg.section("dedup").get("index_dir") or str(root / "dedup-index")
        return cls(
            publish_dir=str(s.get("publish_dir") or root / "published"),
            index_dir=str(index_dir),
            drops=s.get("drops"),
            gates=dict(s.get("gates") or {}),
        )


def run_id_for(date: str) -> str:
    dt.date.fromisoformat(date)  # validates
    return f"{RUN_PREFIX}{date}"


@dataclass
class Night:
    """One date's run: plan, stages and publish record, under the shared run layout."""

    cfg: Config  # the base configuration (sources, filters, [nightly] ...)
    date: str

    @property
    def run_id(self) -> str:
        return run_id_for(self.date)

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.cfg.run.root, self.run_id)

    @property
    def settings(self) -> NightlySettings:
        return NightlySettings.from_config(self.cfg)

    # -- plan ------------------------------------------------------------
    @property
    def plan_path(self) -> Path:
        return self.layout.run_dir / PLAN

    def read_plan(self) -> dict | None:
        import json

        return json.loads(self.plan_path.read_text()) if self.plan_path.exists() else None

    def plan(self, consumed: set[tuple[str, int, str]], tokenizer: str | None, base_version: int) -> dict:
        """Choose this night's inputs (once; later calls return the recorded plan)."""
        existing = self.read_plan()
        if existing is not None and existing["inputs"]:
            return existing  # an empty plan is redone: nothing was processed, a late drop may be there
        self._check_order()
        inputs = [
            f
            for f in list_inputs(self.cfg)
            if (f["path"], f["size"], f["mtime"]) not in consumed and not _dated_after(f["path"], self.date)
        ]
        self._check_earlier_drops(inputs)
        plan = {
            "run_id": self.run_id,
            "date": self.date,
            "inputs": inputs,
            "tokenizer": tokenizer if inputs else None,
            "base_version": base_version,
        }
        if plan != existing:
            write_json_atomic(self.plan_path, plan)
        return plan

    def _check_order(self) -> None:
        runs = Path(self.cfg.run.root) / "runs"
        for d in sorted(runs.glob(f"{RUN_PREFIX}*")) if runs.exists() else []:
            date = d.name[len(RUN_PREFIX) :]
            if date >= self.date or not (d / PLAN).exists() or (d / PUBLISHED).exists():
                continue
            earlier = Night(self.cfg, date)
            if earlier.read_plan()["inputs"]:
                raise NightOrderError(
                    f"night {date} consumed inputs but is not published (a gate failed, or it has not finished); "
                    f"rerun it, or discard it by deleting {d}, before running {self.date}"
                )

    def _check_earlier_drops(self, inputs: list[dict]) -> None:
        """Objects of an earlier drop folder whose night never ran belong to that night, not this one."""
        for d in sorted({_drop_date(f["path"]) for f in inputs} - {None, self.date}):
            earlier = Night(self.cfg, d)
            if earlier.read_plan() is None and earlier.published() is None:
                raise NightOrderError(f"drop {d} has not been processed: run night {d} before {self.date}")

    @property
    def empty(self) -> bool:
        plan = self.read_plan()
        return plan is not None and not plan["inputs"]

    # -- stages ----------------------------------------------------------
    def run_config(self) -> Config:
        """The base config with this night's dedup index and (after the first night) the published tokenizer."""
        cfg = copy.deepcopy(self.cfg)
        cfg.sections.setdefault("dedup", {})["index_dir"] = self.settings.index_dir
        plan = self.read_plan() or {}
        if plan.get("tokenizer"):
            cfg.sections.setdefault("tokenizer", {})["path"] = plan["tokenizer"]
        return cfg

    def stats(self) -> dict[str, dict]:
        """Every finished stage's marker."""
        return {name: self.layout.read_marker(name) for name in STAGES if self.layout.is_done(name)}

    # -- publish record ----------------------------------------------------
    def published(self) -> dict | None:
        import json

        p = self.layout.run_dir / PUBLISHED
        return json.loads(p.read_text()) if p.exists() else None

    def mark_published(self, record: dict) -> None:
        write_json_atomic(self.layout.run_dir / PUBLISHED, record)


def list_inputs(cfg: Config) -> list[dict]:
    """Every object the sources' globs match: source, path, size (bytes), mtime (ISO, UTC)."""
    out = []
    for src in cfg.sources:
        files = storage.list_files(src.path)
        if not files:
            continue
        mtimes = _mtimes(storage.glob_root(src.path))
        for path, size in files:
            out.append({"source": src.name, "path": path, "size": int(size), "mtime": mtimes.get(path, "")})
    return sorted(out, key=lambda f: (f["path"], f["source"]))


def _mtimes(root: str) -> dict[str, str]:
    fs, inner = storage.filesystem(root)
    infos = fs.get_file_info(pafs.FileSelector(inner, recursive=True, allow_not_found=True))
    prefix = "s3://" if root.startswith("s3://") else ""
    return {
        prefix + i.path: i.mtime.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        for i in infos
        if i.type == pafs.FileType.File and i.mtime is not None
    }


def _drop_date(path: str) -> str | None:
    """The date of the innermost ``YYYY-MM-DD`` folder on the path, if any."""
    dates = [p for p in path.split("/")[:-1] if DATE_DIR.match(p)]
    return dates[-1] if dates else None


def _dated_after(path: str, date: str) -> bool:
    return any(DATE_DIR.match(part) and part > date for part in path.split("/")[:-1])


def stale(layout: RunLayout, name: str) -> bool:
    """True when an earlier stage finished after ``name`` did (its input changed)."""
    if not layout.is_done(name):
        return False
    mine = layout.marker(name).stat().st_mtime
    return any(layout.is_done(e) and layout.marker(e).stat().st_mtime > mine for e in STAGES[: STAGES.index(name)])

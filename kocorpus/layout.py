"""The run layout: where every stage of a run writes, and how a finished stage is marked.

```
<root>/runs/<run_id>/
    run.json                      run manifest: config, inputs, code version, times, outputs
    <stage>/                      one folder per stage
        _SUCCESS.json             completion marker, written last, with the stage's counts
        data/outcome=kept/        documents that go on (document stages)
        data/outcome=rejected/    rejects with stage, reason and value (document stages)
```

A stage folder without ``_SUCCESS.json`` is an interrupted attempt: the
runner deletes it and redoes the stage. Only local and cluster filesystems
(local, NFS, HDFS-mounted) hold runs; inputs and publish targets may be S3.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kocorpus.files import write_json_atomic

MARKER = "_SUCCESS.json"
#: The stages of a run, in order: each writes ``<run>/<stage>/``.
STAGES = ("ingest", "filter", "dedup", "tokenize", "shard", "report")
#: Stages whose output is documents split by outcome (kept / rejected).
DOCUMENT_STAGES = ("ingest", "filter", "dedup")


@dataclass(frozen=True)
class RunLayout:
    root: str
    run_id: str

    @classmethod
    def of(cls, run_dir: str | Path) -> "RunLayout":
        """The layout of an existing run folder ``<root>/runs/<run_id>``."""
        p = Path(run_dir).resolve()
        return cls(str(p.parent.parent), p.name)

    @property
    def run_dir(self) -> Path:
        return Path(self.root) / "runs" / self.run_id

    def stage_dir(self, stage: str) -> Path:
        return self.run_dir / stage

    def data_dir(self, stage: str) -> Path:
        return self.stage_dir(stage) / "data"

    def kept_dir(self, stage: str) -> Path:
        return self.data_dir(stage) / "outcome=kept"

    def rejected_dir(self, stage: str) -> Path:
        return self.data_dir(stage) / "outcome=rejected"

    def marker(self, stage: str) -> Path:
        return self.stage_dir(stage) / MARKER

    def is_done(self, stage: str) -> bool:
        return self.marker(stage).exists()

    def read_marker(self, stage: str) -> dict[str, Any] | None:
        p = self.marker(stage)
        return json.loads(p.read_text()) if p.exists() else None

    def clear(self, stage: str) -> None:
        shutil.rmtree(self.stage_dir(stage), ignore_errors=True)

    def mark_done(self, stage: str, stats: dict[str, Any]) -> None:
        write_json_atomic(self.marker(stage), stats)

    @property
    def run_manifest(self) -> Path:
        return self.run_dir / "run.json"

    @property
    def dataset_dir(self) -> Path:
        return self.stage_dir("shard") / "dataset"

    @property
    def shard_manifest(self) -> Path:
        return self.dataset_dir / "manifest.json"

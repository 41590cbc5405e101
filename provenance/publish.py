"""Publishing a dataset: copy every file its manifest lists to a target, the manifest last.

The target is a local folder or ``s3://bucket/prefix``. Files are verified
against the manifest before upload; the manifest is written last, so a reader
that trusts only manifests never sees a half-published dataset. Each
publication is recorded in the source dataset's ``publications.json`` (target,
version, time), so a later takedown of the run reaches every published copy.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kocorpus import storage
from kocorpus.files import json_bytes, write_bytes_atomic
from kocorpus.provenance.manifest import MANIFEST, dataset_files, dataset_root, load_manifest, manifest_url, verify_shards

PUBLICATIONS = "publications.json"


class PublishError(RuntimeError):
    pass


def publish(manifest_path: str | Path, target: str, *, verify: bool = True, progress=None) -> str:
    """Copy the dataset to ``target``; returns the published manifest's location."""
    src = manifest_url(manifest_path)
    base = dataset_root(src)
    manifest = load_manifest(src)
    if verify:
        report = verify_shards(src, deep=False)
        if not report.ok:
            raise PublishError("refusing to publish a dataset that fails verification: " + "; ".join(report.problems))
    target = target.rstrip("/")
    for rel in dataset_files(manifest):
        storage.copy_file(storage.join(base, rel), storage.join(target, rel))
        if progress:
            progress(rel)
    write_bytes_atomic(storage.join(target, MANIFEST), json_bytes(manifest))
    record_publication(base, target, manifest)
    return storage.join(target, MANIFEST)


def publications(location: str | Path) -> list[dict]:
    """Every copy recorded for the dataset at ``location``: ``{target, version, published_at}``, and for
    exports also ``kind = "export"``, ``format`` and ``prefix``."""
    data = storage.read_bytes(storage.join(dataset_root(location), PUBLICATIONS))
    return json.loads(data) if data else []


def record_publication(base: str, target: str, manifest: dict, **extra) -> None:
    """Record a copy (``extra``: ``kind``, ``format``... for exports) in ``base``'s ``publications.json``."""
    if storage.is_url(base):
        return  # a dataset read from object storage is not the run's own copy
    target = target if storage.is_url(target) else str(Path(target).resolve())
    entries = [p for p in publications(base) if p["target"] != target]
    entries.append(
        {
            "target": target,
            "version": manifest.get("version", 1),
            "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **extra,
        }
    )
    write_bytes_atomic(storage.join(base, PUBLICATIONS), json_bytes(entries))

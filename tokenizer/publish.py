"""Publishing a dataset: copy shards, lineage and tokenizer to a target, the manifest last.

The target is a local folder or ``s3://bucket/prefix``. Files are verified
against the manifest before upload; the manifest is written last, so a
reader that trusts only manifests never sees a half-published dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

from kocorpus.pipelines import storage
from kocorpus.tokenizer.manifest import MANIFEST, load_manifest, verify_shards


class PublishError(RuntimeError):
    pass


def dataset_files(manifest: dict) -> list[str]:
    files = [s["path"] for s in manifest["shards"]] + [manifest["tokenizer"]["path"]]
    if manifest.get("lineage"):
        files.append(manifest["lineage"]["path"])
    return files


def publish(manifest_path: str | Path, target: str, *, verify: bool = True, progress=None) -> str:
    """Copy the dataset to ``target``; returns the published manifest's location."""
    src = Path(manifest_path)
    base = src.parent
    manifest = load_manifest(src)
    if verify:
        report = verify_shards(src, deep=False)
        if not report.ok:
            raise PublishError("refusing to publish a dataset that fails verification: " + "; ".join(report.problems))
    fs, root = storage.filesystem(target.rstrip("/"))
    fs.create_dir(root, recursive=True)
    for rel in dataset_files(manifest):
        dest = f"{root}/{rel}"
        parent = dest.rsplit("/", 1)[0]
        fs.create_dir(parent, recursive=True)
        with open(base / rel, "rb") as f, fs.open_output_stream(dest) as out:
            while chunk := f.read(8 << 20):
                out.write(chunk)
        if progress:
            progress(rel)
    payload = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode() + b"\n"
    if target.startswith("s3://"):  # an S3 PUT becomes visible whole
        with fs.open_output_stream(f"{root}/{MANIFEST}") as out:
            out.write(payload)
    else:  # a local manifest appears by rename, never half-written
        tmp = f"{root}/.{MANIFEST}.tmp"
        with fs.open_output_stream(tmp) as out:
            out.write(payload)
        fs.move(tmp, f"{root}/{MANIFEST}")
    return f"{target.rstrip('/')}/{MANIFEST}"

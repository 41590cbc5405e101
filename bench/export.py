"""Export benchmark: tokens/s of ``kocorpus export`` (megatron, hf) and of ``verify-shards`` on the export.

Data: a synthetic dataset packed by the pipeline's ``ShardWriter`` (random token ids below the
vocabulary size, document lengths drawn from an exponential distribution, mean ``--doc-mean``
tokens), with the run's shard settings (seq_len 2048, uint16, ~4 MB row groups) and
``write_manifest``; or, with ``--manifest``, an existing dataset (e.g. the demo's).

Rows, same dataset, same process, best of ``--repeat``; ratios against the first anchor. Random
token ids do not compress, so the synthetic set is the worst case for writing Parquet.

- anchor ``read + sha256 + decode``: every shard read whole, hashed and decoded with pyarrow: the
  least a checked export has to do;
- anchor ``read + decode + write Parquet``: every shard decoded and written again as zstd Parquet
  (no checks): what any Parquet-to-Parquet export costs, the ``hf`` export's floor;
- ``export megatron``: shards checked and decoded, documents rebuilt against the lineage, ``.bin``
  and ``.idx`` written, every output hashed for the export's manifest;
- ``export hf``: shards checked and re-encoded row group by row group as Parquet data files;
- ``verify-shards`` of each export (sha256 of every file, then its deep checks).

Usage: python bench/export.py [--tokens 50000000] [--doc-mean 600] [--repeat 3] [--manifest M]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus import storage
from kocorpus.provenance.export import export
from kocorpus.provenance.manifest import dataset_root, load_manifest, verify_shards, write_manifest
from kocorpus.tokenizer.shards import ShardWriter
from kocorpus.tokenizer.train import TokenizerInfo

SEQ_LEN = 2048
VOCAB = 32000


def synthetic(out: Path, tokens: int, doc_mean: int, seed: int = 0) -> str:
    """A dataset of about ``tokens`` tokens written by the pipeline's shard writer; returns its manifest."""
    rng = np.random.default_rng(seed)
    writer = ShardWriter(out, seq_len=SEQ_LEN, vocab_size=VOCAB, eos_id=2, pad_id=0)
    written, i = 0, 0
    while written < tokens:
        n = max(1, int(rng.exponential(doc_mean)))
        writer.add(f"doc-{i:09d}", rng.integers(13, VOCAB, size=n, dtype=np.uint16))
        written += n + 1
        i += 1
    (out / "tokenizer.json").write_text('{"added_tokens": []}')
    info = TokenizerInfo(path="tokenizer.json", card_path="", sha256="", vocab_size=VOCAB, bos_id=1, eos_id=2, pad_id=0)
    return str(write_manifest(out, writer.close(), info, run_id="bench", config_sha256="0" * 64, code_version="bench"))


def read_and_hash(manifest: str) -> int:
    """The anchor: every shard read whole, sha256 checked, decoded; returns the tokens read."""
    m = load_manifest(manifest)
    base = dataset_root(manifest)
    for s in m["shards"]:
        data = storage.read_bytes(storage.join(base, s["path"]))
        assert hashlib.sha256(data).hexdigest() == s["sha256"]
        pq.read_table(pa.BufferReader(data), columns=["tokens", "doc_starts"])
    return m["totals"]["tokens"]


def rewrite(manifest: str, out: Path) -> None:
    """The second anchor: every shard read, decoded and written again as zstd Parquet (what any Parquet export costs)."""
    m = load_manifest(manifest)
    base = dataset_root(manifest)
    out.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate(m["shards"]):
        table = pq.read_table(storage.join(base, s["path"]))
        pq.write_table(table, out / f"{i}.parquet", compression="zstd", compression_level=3, use_dictionary=False,
                       write_statistics=False, row_group_size=1024)  # fmt: skip


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=50_000_000)
    ap.add_argument("--doc-mean", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--manifest", help="export this dataset instead of a synthetic one")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kocorpus-bench-export-"))
    try:
        if args.manifest:
            manifest, label = args.manifest, args.manifest
        else:
            t = time.perf_counter()
            manifest = synthetic(work / "ds", args.tokens, args.doc_mean)
            label = f"synthetic, built in {time.perf_counter() - t:.1f}s"
        m = load_manifest(manifest)
        tokens = m["totals"]["tokens"]
        print(f"dataset: {label}")
        print(f"  {m['totals']['shards']} shards, {m['totals']['rows']:,} rows of {m['seq_len'] + 1} {m['dtype']}, "
              f"{m['totals']['documents']:,} documents, {tokens:,} tokens, {m['totals']['bytes'] / 2**20:.1f} MiB")
        rows = [("anchor: read + sha256 + decode", best(lambda: read_and_hash(manifest), args.repeat)),
                ("anchor: read + decode + write Parquet", best(lambda: rewrite(manifest, work / "rewrite"), args.repeat))]
        for fmt in ("megatron", "hf"):
            out = work / fmt
            rows.append((f"export {fmt}", best(lambda: export(manifest, out, fmt), args.repeat)))
            rows.append((f"verify-shards ({fmt} export)", best(lambda: verify_shards(out), args.repeat)))
            assert verify_shards(out).ok
        anchor = rows[0][1]
        print("\n| step | seconds | tokens/s | vs anchor |\n|---|---:|---:|---:|")
        for name, sec in rows:
            print(f"| {name} | {sec:.3f} | {tokens / sec:,.0f} | {anchor / sec:.2f}x |")
        print(f"\n(best of {args.repeat}; python {sys.version.split()[0]}, numpy {np.__version__}, pyarrow {pa.__version__})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

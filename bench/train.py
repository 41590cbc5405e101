"""Training-stage benchmark: what the shard loader delivers on the CPU, and (on CUDA) what the
124m model consumes and its MFU.

Data: the Korean corpora in ../shared/corpora (skips cleanly when absent), tokenized with a
byte-level BPE (``kocorpus.tokenizer.train``, vocabulary 32,000) trained on a sample, packed by
the pipeline's ``ShardWriter`` at seq_len 1024 in ~4 MB row groups, written with ``write_manifest``.

Loader rows (tokens/s delivered as int64 input/target tensors, batches of 16 x 1024), same
shards, same process, same token budget:

- anchor ``pyarrow scan``: every row group read in file order, no shuffle, no checksum: the
  Parquet decode ceiling;
- anchor ``nanoGPT memmap``: random 1025-token crops of one flat uint16 file of the same tokens
  (the well-known simple loader; no epochs, no document boundaries, no checks);
- ``ShardDataset``: seeded two-level shuffle, sha256 verified on first open, row-group reads with
  read-ahead threads; then with document segment ids; then ``ShardLoader`` with worker processes.

The requirement line computes what 124m consumes at 45% MFU on an H100 (PaLM FLOPs per token,
989.4 TFLOP/s dense bf16) and the 20x margin the loader must deliver. On a CUDA machine the GPU
section trains 124m at seq_len 1024 (bf16, torch.compile, fused AdamW) and reports training
tokens/s and MFU from ``train()``; without one it prints "no CUDA device" and skips.

Usage: python bench/train.py [--corpora DIR] [--max-tokens 12000000] [--epochs 2] [--workers 2]
       [--gpu-steps 60] [--micro-batch 16]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch

HERE = Path(__file__).resolve().parent
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpora"
FILES = [
    "nsmc_reviews.parquet",
    "news_comments.parquet",
    "longform_news_reviews.parquet",
    "ud_sentences.parquet",
    "chatbot_qa.parquet",
    "nsmc_synopses.parquet",
]
SEQ_LEN = 1024
VOCAB = 32000
H100_PEAK = 989.4e12
TARGET_MFU = 0.45
MARGIN = 20


def build_shards(corpora: Path, work: Path, max_tokens: int) -> tuple[str, str, int]:
    """Tokenize the corpora into shards; returns (manifest, flat uint16 file, tokens)."""
    from kocorpus.tokenizer.encode import TokenEncoder
    from kocorpus.provenance.manifest import write_manifest
    from kocorpus.tokenizer.shards import ShardWriter
    from kocorpus.tokenizer.train import train_tokenizer

    texts, ids, sources = [], [], []
    for name in FILES:
        p = corpora / name
        if p.exists():
            t = pq.read_table(p, columns=["id", "text"])
            for i, x in zip(t.column("id").to_pylist(), t.column("text").to_pylist()):
                if x:
                    texts.append(x)
                    ids.append(f"{name}:{i}")
                    sources.append(name)
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(100_000, len(texts)), replace=False)]
    t0 = time.perf_counter()
    info = train_tokenizer(sample, work, vocab_size=VOCAB, method="bpe")
    encoder = TokenEncoder(info.path)
    writer = ShardWriter(work, seq_len=SEQ_LEN, vocab_size=info.vocab_size, eos_id=info.eos_id, pad_id=info.pad_id,
                         rows_per_shard=4096)
    flat = open(work / "flat.bin", "wb")
    total = 0
    for lo in range(0, len(texts), 20_000):
        batch = pa.RecordBatch.from_pydict({"doc_id": ids[lo : lo + 20_000], "text": texts[lo : lo + 20_000]})
        enc = encoder(batch)
        for doc_id, toks in zip(enc.column("doc_id").to_pylist(), enc.column("tokens").to_pylist()):
            writer.add(doc_id, toks)
            arr = np.asarray(toks + [info.eos_id], dtype=np.uint16)
            flat.write(arr.tobytes())
            total += arr.size
        if total >= max_tokens:
            break
    flat.close()
    used = sorted(set(sources[: lo + 20_000]), key=FILES.index)
    shardset = writer.close()
    manifest = write_manifest(work, shardset, info, run_id="bench", config_sha256="0" * 64, code_version="bench")
    print(f"data: {total:,} tokens from {', '.join(used)}; "
          f"{len(shardset.shards)} shards, {sum(s.bytes for s in shardset.shards) / 2**20:.1f} MiB zstd "
          f"(tokenize + pack {time.perf_counter() - t0:.0f} s)")
    return str(manifest), str(work / "flat.bin"), total


# ---------------------------------------------------------------- loaders
def to_tensors(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.from_numpy(rows.astype(np.int64))
    return x[:, :-1].contiguous(), x[:, 1:].clone()


def pyarrow_scan(manifest: str, batch: int, budget: int):
    from kocorpus.training.manifest import ShardManifest

    m = ShardManifest.load(manifest)
    done = 0
    while True:
        for s in m.shards:
            pf = pq.ParquetFile(s.url)
            for g in range(pf.num_row_groups):
                col = pf.read_row_group(g, columns=["tokens"]).column("tokens").combine_chunks()
                rows = col.flatten().to_numpy().reshape(len(col), SEQ_LEN + 1)
                for lo in range(0, len(rows), batch):
                    inp, _ = to_tensors(rows[lo : lo + batch])
                    done += inp.numel()
                    yield inp.numel()
                    if done >= budget:
                        return


def nanogpt_memmap(flat: str, batch: int, budget: int):
    data = np.memmap(flat, dtype=np.uint16, mode="r")
    rng = np.random.default_rng(0)
    done = 0
    while done < budget:
        ix = rng.integers(0, len(data) - SEQ_LEN - 1, size=batch)
        x = torch.stack([torch.from_numpy(data[i : i + SEQ_LEN].astype(np.int64)) for i in ix])
        torch.stack([torch.from_numpy(data[i + 1 : i + 1 + SEQ_LEN].astype(np.int64)) for i in ix])  # targets
        done += x.numel()
        yield x.numel()


def shard_loader(manifest: str, batch: int, budget: int, workers: int = 0, segment_ids: bool = False):
    from kocorpus.training import shard_reader
    from kocorpus.training.loader import ShardDataset, ShardLoader

    shard_reader._VERIFIED.clear()  # count the first-open checksums every time
    ds = ShardDataset(manifest, batch_size=batch, seed=1, segment_ids=segment_ids)
    it = ShardLoader(ds, num_workers=workers) if workers else ds
    done = 0
    for b in it:
        n = b["input_ids"].numel()
        done += n
        yield n
        if done >= budget:
            return


def measure(gen) -> tuple[float, float, float]:
    """(tokens/s after the first batch, seconds in all, seconds to the first batch)."""
    t0 = time.perf_counter()
    next(gen)
    t1 = time.perf_counter()
    tokens = sum(gen)
    t2 = time.perf_counter()
    return tokens / (t2 - t1), t2 - t0, t1 - t0


# ---------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--max-tokens", type=int, default=12_000_000)
    ap.add_argument("--epochs", type=float, default=5.0, help="token budget per loader, in passes over the data")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gpu-steps", type=int, default=60)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--keep", type=Path, help="build the shards here and keep them (default: a temporary folder)")
    args = ap.parse_args(argv)
    if not args.corpora.exists():
        print(f"skipped: no corpora at {args.corpora}")
        return 0
    torch.set_num_threads(1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kocorpus-bench-train-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        manifest, flat, tokens = build_shards(args.corpora, work, args.max_tokens)
        budget = int(tokens * args.epochs)
        print(f"cores: {os.cpu_count()}, torch {torch.__version__}, batches {args.batch} x {SEQ_LEN}, "
              f"budget {budget:,} tokens per loader\n")
        rows = [
            ("anchor: pyarrow scan (no shuffle, no checks)", lambda: pyarrow_scan(manifest, args.batch, budget)),
            ("anchor: nanoGPT memmap random crops", lambda: nanogpt_memmap(flat, args.batch, budget)),
            ("ShardDataset, in-process", lambda: shard_loader(manifest, args.batch, budget)),
            ("ShardDataset + segment ids", lambda: shard_loader(manifest, args.batch, budget, segment_ids=True)),
            (f"ShardLoader, {args.workers} worker processes", lambda: shard_loader(manifest, args.batch, budget, args.workers)),
        ]
        results = {}
        print(f"{'loader (CPU)':46s} {'tokens/s':>12s} {'first batch s':>13s} {'total s':>8s} {'vs scan':>8s} {'vs memmap':>9s}")
        for name, make in rows:
            rate, secs, startup = measure(make())
            results[name] = rate
            scan = results[rows[0][0]]
            memmap = results.get(rows[1][0])
            print(f"{name:46s} {rate:12,.0f} {startup:13.2f} {secs:8.1f} {rate / scan:8.2f} {rate / memmap if memmap else 1:9.2f}")
        print("(tokens/s counts from the first batch on; the first-batch column holds start-up: opening,"
              " the first shard's checksum, worker start)")

        from kocorpus.training.manifest import ShardManifest
        from kocorpus.training.model import ModelConfig

        vocab = ShardManifest.load(manifest).vocab_size
        cfg = ModelConfig.from_preset("124m", vocab, SEQ_LEN)
        need = TARGET_MFU * H100_PEAK / cfg.flops_per_token()
        one = results["ShardDataset, in-process"]
        print(f"\nrequirement: 124m (vocab {vocab}) at {TARGET_MFU:.0%} MFU on an H100 consumes {need:,.0f} tokens/s "
              f"({cfg.flops_per_token() / 1e9:.3f} GFLOP/token); x{MARGIN} = {MARGIN * need:,.0f} tokens/s per GPU")
        print(f"one in-process loader here delivers {one / need:.1f}x that consumption; "
              f"{int(np.ceil(MARGIN * need / one))} such reader processes per GPU reach x{MARGIN}")

        if not torch.cuda.is_available():
            print("\nGPU: no CUDA device on this machine: training tokens/s and MFU for 124m at seq_len 1024 skipped")
            return 0
        from kocorpus.training.train import train

        out = work / "gpu-run"
        torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
        r = train(manifest, "124m", args.gpu_steps, str(out), micro_batch=args.micro_batch, log_every=10,
                  eval_every=0, ckpt_every=0, val_rows=0, progress=False, resume=False)
        tps, util = r["tokens_per_s"], r["mfu"]
        print(f"\nGPU: {r['device']}, 124m ({r['params'] / 1e6:.1f}M params), seq_len {SEQ_LEN}, micro-batch "
              f"{args.micro_batch}, bf16 + torch.compile + fused AdamW, {args.gpu_steps} steps")
        print(f"training: {tps:,.0f} tokens/s, MFU {util:.1%}" if util is not None else f"training: {tps:,.0f} tokens/s, MFU n/a (unknown device peak)")
        print(f"loader margin: in-process loader {one / tps:.1f}x, {args.workers} workers {results[rows[-1][0]] / tps:.1f}x the GPU's consumption")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

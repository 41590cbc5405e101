"""Token-shard fixtures written exactly per the shard format (kocorpus-shards/1) with pyarrow.

``write_shard_set`` packs documents (lists of token ids) into rows of
``seq_len + 1`` tokens, each document followed by EOS, the last row padded,
and writes shards, ``manifest.json`` and ``lineage.parquet``. It stands in
for the tokenizer's shard writer so the loader is tested against the
contract itself; ``real_shards`` builds a set with the real writer.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

PAD, BOS, EOS = 0, 1, 2


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def pack(docs: list[list[int]], seq_len: int, pad_id: int = PAD, eos_id: int = EOS):
    """Rows of ``seq_len + 1`` tokens, their doc starts, and lineage tuples ``(row, doc, start, end)``."""
    width = seq_len + 1
    stream, starts, spans = [], [], []
    for d, doc in enumerate(docs):
        starts.append(len(stream))
        stream.extend(doc)
        stream.append(eos_id)
        spans.append((d, starts[-1], len(stream)))
    n_rows = -(-len(stream) // width)
    padding = n_rows * width - len(stream)
    stream.extend([pad_id] * padding)
    rows = np.array(stream, dtype=np.int64).reshape(n_rows, width)
    row_starts = [[] for _ in range(n_rows)]
    for s in starts:
        row_starts[s // width].append(s % width)
    lineage = []
    for d, a, z in spans:
        for r in range(a // width, (z - 1) // width + 1):
            lo, hi = max(a, r * width), min(z, (r + 1) * width)
            lineage.append((r, d, lo - r * width, hi - r * width))
    return rows, row_starts, lineage, padding


def write_spec_shards(
    out_dir,
    docs: list[list[int]],
    seq_len: int = 16,
    rows_per_shard: int = 10,
    row_group_rows: int = 4,
    vocab_size: int = 64,
):
    """Write a spec-exact shard set; returns the manifest path."""
    out_dir = str(out_dir)
    os.makedirs(os.path.join(out_dir, "shards"), exist_ok=True)
    dtype = "uint16" if vocab_size <= 65536 else "uint32"
    np_dtype = np.uint16 if dtype == "uint16" else np.uint32
    rows, row_starts, lineage, padding = pack(docs, seq_len)
    width = seq_len + 1
    shards, lin_rows = [], {"shard": [], "row": [], "doc_id": [], "start": [], "end": []}
    for i, lo in enumerate(range(0, len(rows), rows_per_shard)):
        hi = min(lo + rows_per_shard, len(rows))
        rel = f"shards/shard-{i:05d}.parquet"
        path = os.path.join(out_dir, rel)
        flat = pa.array(rows[lo:hi].astype(np_dtype).reshape(-1), type=pa.from_numpy_dtype(np_dtype))
        table = pa.table(
            {
                "tokens": pa.FixedSizeListArray.from_arrays(flat, width),
                "doc_starts": pa.array(row_starts[lo:hi], type=pa.list_(pa.int32())),
            }
        )
        pq.write_table(table, path, compression="zstd", row_group_size=row_group_rows)
        block = rows[lo:hi]
        shards.append(
            {
                "path": rel,
                "rows": hi - lo,
                "tokens": int((block != PAD).sum()),
                "documents": sum(len(s) for s in row_starts[lo:hi]),
                "bytes": os.path.getsize(path),
                "sha256": _sha256(path),
            }
        )
        for r, d, a, z in lineage:
            if lo <= r < hi:
                lin_rows["shard"].append(rel)
                lin_rows["row"].append(r - lo)
                lin_rows["doc_id"].append(f"doc-{d}")
                lin_rows["start"].append(a)
                lin_rows["end"].append(z)
    lin_path = os.path.join(out_dir, "lineage.parquet")
    pq.write_table(
        pa.table(
            {
                "shard": pa.array(lin_rows["shard"], pa.string()),
                "row": pa.array(lin_rows["row"], pa.int64()),
                "doc_id": pa.array(lin_rows["doc_id"], pa.string()),
                "start": pa.array(lin_rows["start"], pa.int32()),
                "end": pa.array(lin_rows["end"], pa.int32()),
            }
        ),
        lin_path,
    )
    tok_path = os.path.join(out_dir, "tokenizer.json")
    with open(tok_path, "w") as f:
        json.dump({"version": "1.0", "model": {"type": "fixture"}}, f)
    manifest = {
        "format": "kocorpus-shards/1",
        "run_id": "fixture",
        "created_at": "2025-01-01T00:00:00+00:00",
        "code_version": "test",
        "config_sha256": "0" * 64,
        "seq_len": seq_len,
        "dtype": dtype,
        "vocab_size": vocab_size,
        "bos_id": BOS,
        "eos_id": EOS,
        "pad_id": PAD,
        "tokenizer": {"path": "tokenizer.json", "sha256": _sha256(tok_path)},
        "shards": shards,
        "totals": {
            "rows": len(rows),
            "tokens": int((rows != PAD).sum()),
            "documents": len(docs),
            "bytes": sum(s["bytes"] for s in shards),
            "padding_tokens": padding,
        },
        "lineage": {"path": "lineage.parquet", "sha256": _sha256(lin_path)},
        "inputs": {},
    }
    tmp = os.path.join(out_dir, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
    os.replace(tmp, os.path.join(out_dir, "manifest.json"))
    return os.path.join(out_dir, "manifest.json")


def random_docs(n: int, seed: int = 0, vocab_size: int = 64, max_len: int = 40) -> list[list[int]]:
    """Documents of ordinary tokens (ids 13.. the vocabulary's end, never pad/bos/eos)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(13, vocab_size, size=int(rng.integers(1, max_len))).tolist() for _ in range(n)]


def write_real_shards(
    out_dir,
    docs: list[list[int]],
    seq_len: int = 16,
    rows_per_shard: int = 10,
    row_group_rows: int = 4,
    vocab_size: int = 64,
):
    """Write a shard set with the pipeline's own writer; returns the manifest path."""
    from kocorpus.provenance.manifest import write_manifest
    from kocorpus.tokenizer.shards import ShardWriter, token_dtype
    from kocorpus.tokenizer.train import TokenizerInfo

    itemsize = token_dtype(vocab_size).itemsize
    writer = ShardWriter(
        out_dir,
        seq_len=seq_len,
        vocab_size=vocab_size,
        eos_id=EOS,
        pad_id=PAD,
        rows_per_shard=rows_per_shard,
        row_group_bytes=row_group_rows * (seq_len + 1) * itemsize,
    )
    for i, doc in enumerate(docs):
        writer.add(f"doc-{i}", doc)
    shardset = writer.close()
    info = TokenizerInfo(
        path="tokenizer.json", card_path="", sha256="0" * 64, vocab_size=vocab_size, bos_id=BOS, eos_id=EOS, pad_id=PAD
    )
    return str(write_manifest(out_dir, shardset, info, run_id="fixture", config_sha256="0" * 64, code_version="test"))


KOREAN_TEXT = os.path.join(os.path.dirname(__file__), "data", "korean_text.txt")


def write_korean_shards(out_dir, docs: int = 160, seq_len: int = 64, vocab_size: int = 512, seed: int = 0):
    """Shards of Korean text through the pipeline's tokenizer trainer, encoder and shard writer.

    Documents are 2-5 sentences drawn from ``data/korean_text.txt``; returns the manifest path.
    """
    import pyarrow as pa

    from kocorpus.tokenizer.encode import TokenEncoder
    from kocorpus.provenance.manifest import write_manifest
    from kocorpus.tokenizer.shards import ShardWriter
    from kocorpus.tokenizer.train import train_tokenizer

    with open(KOREAN_TEXT, encoding="utf-8") as f:
        sentences = [s for s in f.read().splitlines() if s.strip()]
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(sentences, size=int(rng.integers(2, 6)))) for _ in range(docs)]
    info = train_tokenizer(texts, out_dir, vocab_size=vocab_size, method="bpe")
    batch = pa.RecordBatch.from_pydict({"doc_id": [f"ko-{i:04d}" for i in range(docs)], "text": texts})
    encoded = TokenEncoder(info.path)(batch)
    writer = ShardWriter(
        out_dir, seq_len=seq_len, vocab_size=info.vocab_size, eos_id=info.eos_id, pad_id=info.pad_id, rows_per_shard=32,
        row_group_bytes=8 * (seq_len + 1) * 2,
    )
    for doc_id, ids in zip(encoded.column("doc_id").to_pylist(), encoded.column("tokens").to_pylist()):
        writer.add(doc_id, ids)
    return str(write_manifest(out_dir, writer.close(), info, run_id="ko-fixture", config_sha256="0" * 64, code_version="test"))

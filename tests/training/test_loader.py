import json
import os

import pytest
import torch

from kocorpus.training.loader import IGNORE_INDEX, ShardDataset, ShardLoader
from kocorpus.training.manifest import ManifestError, ShardManifest
from kocorpus.training.shard_reader import ShardIntegrityError

from shard_fixtures import EOS, PAD, pack, random_docs, write_real_shards, write_spec_shards


def epoch_rows(ds) -> list[int]:
    return [i for batch in ds for i in batch["row_ids"].tolist()]


def test_manifest_resolves_relative_shard_paths(shard_set):
    path, _ = shard_set
    m = ShardManifest.load(os.path.dirname(path))  # the folder works too
    assert m.seq_len == 16 and m.dtype == "uint16" and m.pad_id == PAD and m.eos_id == EOS
    assert all(os.path.isfile(s.url) for s in m.shards)
    assert m.rows == sum(s.rows for s in m.shards)


def test_batches_hold_the_packed_rows(shard_set):
    path, docs = shard_set
    rows, row_starts, _, padding = pack(docs, 16)
    ds = ShardDataset(path, batch_size=5, seed=3, loop=False, segment_ids=True)
    seen, ignored = [], 0
    for batch in ds:
        ignored += int((batch["targets"] == IGNORE_INDEX).sum())
        for r, inp, tgt, seg in zip(batch["row_ids"], batch["input_ids"], batch["targets"], batch["segment_ids"], strict=True):
            r = int(r)
            seen.append(r)
            full = torch.from_numpy(rows[r])
            assert torch.equal(inp, full[:-1])
            want = full[1:].clone()
            want[want == PAD] = IGNORE_INDEX
            assert torch.equal(tgt, want)
            # segment ids change exactly at the row's document starts
            changes = [i for i in range(1, 16) if seg[i] != seg[i - 1]]
            assert changes == [s for s in row_starts[r] if 0 < s < 16]
    assert sorted(seen) == list(range(len(rows)))
    assert padding > 0 and ignored == padding  # exactly the last row's padding is left out of the loss


def test_two_ranks_see_disjoint_data_whose_union_is_the_epoch(shard_set):
    path, _ = shard_set
    total = ShardManifest.load(path).rows
    for epoch in range(2):
        parts = []
        for rank in range(2):
            ds = ShardDataset(path, batch_size=4, seed=11, rank=rank, world_size=2, loop=False)
            ds.load_state_dict({**ds.state_dict(), "samples_consumed": epoch * ds.rows_per_epoch})
            parts.append(epoch_rows(ds))
        assert not set(parts[0]) & set(parts[1])
        assert sorted(parts[0] + parts[1]) == list(range(total))


def test_order_is_independent_of_worker_count(shard_set):
    path, _ = shard_set
    runs = []
    for workers in (0, 1, 3):
        ds = ShardDataset(path, batch_size=3, seed=7, segment_ids=True)
        loader = ShardLoader(ds, num_workers=workers)
        got = []
        for i, batch in enumerate(loader):
            got.append(batch)
            if i == 12:  # crosses into the second epoch (37 rows / 3 per batch)
                break
        runs.append(got)
        assert loader.state_dict()["samples_consumed"] == 13 * 3
    for other in runs[1:]:
        assert len(other) == len(runs[0]) == 13
        for a, b in zip(runs[0], other, strict=True):
            for key in a:
                assert torch.equal(a[key], b[key]), key


def test_loop_streams_every_epoch_exactly_once(shard_set):
    path, _ = shard_set
    ds = ShardDataset(path, batch_size=4, seed=2)
    n = ds.rows_per_epoch
    ids = []
    for batch in ds:
        ids.extend(batch["row_ids"].tolist())
        if len(ids) >= 3 * n:
            break
    for e in range(3):
        assert sorted(ids[e * n : (e + 1) * n]) == list(range(n))
    assert ids[:n] != ids[n : 2 * n]


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_gives_exactly_the_next_batch(shard_set, workers):
    path, _ = shard_set
    full = [b for _, b in zip(range(9), ShardLoader(ShardDataset(path, batch_size=4, seed=5)))]
    assert len(full) == 9
    first = ShardLoader(ShardDataset(path, batch_size=4, seed=5), num_workers=workers)
    for _, _b in zip(range(4), first):
        pass
    state = json.loads(json.dumps(first.state_dict()))  # survives a checkpoint round trip
    assert state["samples_consumed"] == 16 and state["epoch"] == 0 and state["samples_in_epoch"] == 16
    resumed = ShardLoader(ShardDataset(path, batch_size=4, seed=5), num_workers=workers)
    resumed.load_state_dict(state)
    rest = [b for _, b in zip(range(5), resumed)]
    assert len(rest) == 5
    for a, b in zip(full[4:], rest, strict=True):
        assert torch.equal(a["input_ids"], b["input_ids"]) and torch.equal(a["row_ids"], b["row_ids"])


def test_resume_refuses_a_different_order(shard_set):
    path, _ = shard_set
    state = ShardDataset(path, batch_size=4, seed=5).state_dict()
    with pytest.raises(ValueError, match="seed"):
        ShardDataset(path, batch_size=4, seed=6).load_state_dict(state)
    with pytest.raises(ValueError, match="world_size"):
        ShardDataset(path, batch_size=4, seed=5, rank=0, world_size=2).load_state_dict(state)


def test_row_ranges_split_train_and_validation(shard_set):
    path, _ = shard_set
    total = ShardManifest.load(path).rows
    train = epoch_rows(ShardDataset(path, batch_size=4, rows=(0, total - 5), loop=False))
    val = epoch_rows(ShardDataset(path, batch_size=4, rows=(total - 5, total), loop=False))
    assert sorted(train) == list(range(total - 5)) and sorted(val) == list(range(total - 5, total))


def test_same_seed_same_order_other_seed_other_order(shard_set):
    path, _ = shard_set
    a = epoch_rows(ShardDataset(path, batch_size=4, seed=1, loop=False))
    b = epoch_rows(ShardDataset(path, batch_size=4, seed=1, loop=False))
    c = epoch_rows(ShardDataset(path, batch_size=4, seed=2, loop=False))
    assert a == b and a != c and sorted(a) == sorted(c)


def _corrupt(path: str, where: str = "data") -> None:
    """Flip one byte in the first data page, or in the footer's length field."""
    with open(path, "r+b") as f:
        f.seek(12 if where == "data" else os.path.getsize(path) - 6)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_corrupted_shard_fails_naming_it(shard_set):
    path, _ = shard_set
    victim = os.path.join(os.path.dirname(path), "shards", "shard-00002.parquet")
    _corrupt(victim, "data")
    ds = ShardDataset(path, batch_size=4, seed=0, loop=False)  # the footer still reads
    with pytest.raises(ShardIntegrityError, match=r"shard shards/shard-00002\.parquet .*checksum"):
        epoch_rows(ds)


def test_corrupted_footer_fails_naming_it(shard_set):
    path, _ = shard_set
    _corrupt(os.path.join(os.path.dirname(path), "shards", "shard-00003.parquet"), "footer")
    with pytest.raises(ShardIntegrityError, match=r"shard shards/shard-00003\.parquet .*checksum"):
        ShardDataset(path, batch_size=4)


def test_truncated_or_missing_shard_fails_naming_it(shard_set):
    path, _ = shard_set
    shards = os.path.join(os.path.dirname(path), "shards")
    os.remove(os.path.join(shards, "shard-00001.parquet"))
    with pytest.raises(ShardIntegrityError, match=r"shard-00001\.parquet.*missing"):
        ShardDataset(path, batch_size=4)


def test_corruption_is_caught_in_worker_processes(shard_set):
    path, _ = shard_set
    _corrupt(os.path.join(os.path.dirname(path), "shards", "shard-00000.parquet"))
    loader = ShardLoader(ShardDataset(path, batch_size=4, loop=False), num_workers=1)
    with pytest.raises(ShardIntegrityError, match=r"shard-00000\.parquet"):
        list(loader)


def test_manifest_errors_are_clear(tmp_path, shard_set):
    with pytest.raises(ManifestError, match="no manifest"):
        ShardManifest.load(str(tmp_path / "nowhere" / "manifest.json"))
    path, _ = shard_set
    raw = json.load(open(path))
    raw["format"] = "something-else/9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ManifestError, match="format"):
        ShardManifest.load(str(bad))


def test_uint32_shards(tmp_path):
    docs = random_docs(20, seed=4, vocab_size=70000)
    path = write_real_shards(tmp_path / "wide", docs, seq_len=8, vocab_size=70000)
    rows, *_ = pack(docs, 8)
    ds = ShardDataset(path, batch_size=6, loop=False)
    assert ds.manifest.dtype == "uint32"
    for batch in ds:
        for r, inp in zip(batch["row_ids"].tolist(), batch["input_ids"], strict=True):
            assert torch.equal(inp, torch.from_numpy(rows[r][:-1]))
    assert int(rows.max()) > 65535


def test_drop_last_and_short_last_batch(shard_set):
    path, _ = shard_set
    n = ShardManifest.load(path).rows
    sizes = [len(b["row_ids"]) for b in ShardDataset(path, batch_size=5, loop=False)]
    assert sum(sizes) == n and set(sizes[:-1]) == {5} and sizes[-1] == (n % 5 or 5)
    sizes = [len(b["row_ids"]) for b in ShardDataset(path, batch_size=5, loop=False, drop_last=True)]
    assert set(sizes) == {5} and len(sizes) == n // 5


def test_spec_writer_and_pipeline_writer_agree(tmp_path):
    """The shards the pipeline writes read back as the format describes, batch for batch."""
    docs = random_docs(50, seed=9)
    real = ShardDataset(write_real_shards(tmp_path / "real", docs), batch_size=4, seed=3, loop=False, segment_ids=True)
    spec = ShardDataset(write_spec_shards(tmp_path / "spec", docs), batch_size=4, seed=3, loop=False, segment_ids=True)
    assert real.manifest.rows == spec.manifest.rows
    assert [s.rows for s in real.manifest.shards] == [s.rows for s in spec.manifest.shards]
    assert [s.tokens for s in real.manifest.shards] == [s.tokens for s in spec.manifest.shards]
    assert [s.documents for s in real.manifest.shards] == [s.documents for s in spec.manifest.shards]
    for a, b in zip(real, spec, strict=True):
        for key in a:
            assert torch.equal(a[key], b[key]), key


def test_open_shards_are_bounded(shard_set, monkeypatch):
    from kocorpus.training import shard_reader

    monkeypatch.setattr(shard_reader, "MAX_OPEN_SHARDS", 2)
    path, _ = shard_set
    ds = ShardDataset(path, batch_size=4, seed=1, loop=False)
    assert sorted(epoch_rows(ds)) == list(range(ds.manifest.rows))  # reopening keeps every row
    assert len(ds.reader._files) <= 2

"""The deterministic sample order: a seeded permutation of (shard, row) per epoch, split across ranks.

The permutation is two-level so that reads stay row-group sized: the row
groups ("blocks") are shuffled, then the rows of each window of
``window_blocks`` consecutive blocks are shuffled together. Every row of the
selected range appears exactly once per epoch. The order depends only on the
seed, the epoch, the shard layout and ``window_blocks``; never on the number
of ranks or DataLoader workers.

Ranks take contiguous, disjoint slices of each epoch's order (sizes differ by
at most one row) whose union is the whole epoch. A rank sees an endless
*stream*: its slice of epoch 0, then its slice of epoch 1, and so on; a stream
position ``p`` is the number of samples that rank has consumed since the start.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Block:
    """A run of rows read together: the part of one Parquet row group inside the selected range."""

    shard: int  # index into the manifest's shard list
    group: int  # Parquet row group index within the shard
    group_start: int  # first row of the row group, within the shard
    start: int  # first selected row, within the shard
    stop: int  # one past the last selected row, within the shard
    first_id: int  # global row id of ``start`` (rows numbered across shards in manifest order)

    @property
    def rows(self) -> int:
        return self.stop - self.start


class SampleOrder:
    """Maps (epoch, position) to global row ids, and a rank's stream position to (epoch, position)."""

    def __init__(self, blocks: list[Block], seed: int, window_blocks: int = 8, cache_windows: int = 4):
        if not blocks:
            raise ValueError("no rows to order")
        if window_blocks < 1:
            raise ValueError("window_blocks must be >= 1")
        self.blocks = blocks
        self.seed = int(seed)
        self.window_blocks = int(window_blocks)
        self._sizes = np.array([b.rows for b in blocks], dtype=np.int64)
        self._first = np.array([b.first_id for b in blocks], dtype=np.int64)
        self.num_rows = int(self._sizes.sum())
        self._epochs: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._windows: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._cache_windows = cache_windows

    # -- one epoch -------------------------------------------------------
    def _epoch(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """(block permutation, window start positions with a final sentinel) of an epoch."""
        hit = self._epochs.get(epoch)
        if hit is not None:
            return hit
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, epoch, 0])))
        perm = rng.permutation(len(self.blocks))
        sizes = self._sizes[perm]
        cut = np.arange(0, len(perm), self.window_blocks)
        starts = np.concatenate([[0], np.cumsum(sizes)])[np.append(cut, len(perm))]
        hit = (perm, starts)
        self._epochs[epoch] = hit
        while len(self._epochs) > 2:
            self._epochs.popitem(last=False)
        return hit

    def _window(self, epoch: int, k: int) -> np.ndarray:
        """Global row ids of window ``k`` of ``epoch``, in their shuffled order."""
        key = (epoch, k)
        hit = self._windows.get(key)
        if hit is not None:
            self._windows.move_to_end(key)
            return hit
        perm, _ = self._epoch(epoch)
        members = perm[k * self.window_blocks : (k + 1) * self.window_blocks]
        ids = np.concatenate([np.arange(self._first[b], self._first[b] + self._sizes[b]) for b in members])
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, epoch, 1, k])))
        rng.shuffle(ids)
        self._windows[key] = ids
        while len(self._windows) > self._cache_windows:
            self._windows.popitem(last=False)
        return ids

    def rows(self, epoch: int, positions: np.ndarray) -> np.ndarray:
        """Global row ids at ``positions`` (each in ``[0, num_rows)``) of ``epoch``'s order."""
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= self.num_rows):
            raise IndexError("position outside the epoch")
        _, starts = self._epoch(epoch)
        win = np.searchsorted(starts, positions, side="right") - 1
        out = np.empty_like(positions)
        for k in np.unique(win):
            sel = win == k
            out[sel] = self._window(epoch, int(k))[positions[sel] - starts[k]]
        return out

    # -- ranks -----------------------------------------------------------
    def rank_slice(self, rank: int, world_size: int) -> tuple[int, int]:
        """``[start, stop)`` of each epoch's order that belongs to ``rank``."""
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} outside world size {world_size}")
        n = self.num_rows
        if n < world_size:
            raise ValueError(f"{n} rows cannot feed {world_size} ranks (some rank would get none)")
        return n * rank // world_size, n * (rank + 1) // world_size

    def stream_rows(self, rank: int, world_size: int, stream_positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, global row ids) of a rank's stream positions."""
        start, stop = self.rank_slice(rank, world_size)
        per_epoch = stop - start
        p = np.asarray(stream_positions, dtype=np.int64)
        epochs = p // per_epoch
        ids = np.empty_like(p)
        for e in np.unique(epochs):
            sel = epochs == e
            ids[sel] = self.rows(int(e), start + p[sel] % per_epoch)
        return epochs, ids

    def block_of(self, row_ids: np.ndarray) -> np.ndarray:
        """Index of the block holding each global row id (blocks are sorted by ``first_id``)."""
        return np.searchsorted(self._first, row_ids, side="right") - 1

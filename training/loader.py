"""The shard loader: a resumable, rank- and worker-split stream of training batches.

``ShardDataset`` is a ``torch.utils.data.IterableDataset`` that yields whole
batches (use it with ``batch_size=None``, or through ``ShardLoader``). Batch
``k`` of a rank's stream is the same tensors whatever the number of
DataLoader workers: worker ``w`` of ``W`` builds batches ``w, w + W, ...`` and
the DataLoader hands them out round-robin, i.e. in order.

A batch is a dict:

- ``input_ids``: int64 ``[B, seq_len]``, the row without its last token;
- ``targets``: int64 ``[B, seq_len]``, the row shifted by one; pad targets are ``-100``;
- ``segment_ids`` (when ``segment_ids=True``): int32 ``[B, seq_len]``, equal within one document
  of a row (from ``doc_starts``); positions before the row's first start share one segment;
- ``row_ids``: int64 ``[B]`` (on the CPU), global row ids (rows numbered across shards in manifest order);
- ``position``: int64 scalar, the rank's stream position after this batch (samples consumed).

The position is the loader's whole state: ``state_dict()`` / ``load_state_dict()``
save and restore it (with the epoch it falls in), so a resumed run gets exactly
the next batch.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from kocorpus.storage import is_url

from .manifest import ShardManifest
from .order import Block, SampleOrder
from .shard_reader import ShardReader

IGNORE_INDEX = -100
STATE_FORMAT = 1


def _dist_rank_world() -> tuple[int, int]:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class ShardDataset(IterableDataset):
    """Batches of packed token rows from the shards a manifest lists.

    manifest: path or ``s3://`` URL of ``manifest.json`` (or its folder), or a loaded ``ShardManifest``.
    batch_size: rows per batch (per rank).
    seed: seeds the per-epoch permutation; the order is independent of ranks and workers.
    rank, world_size: default from ``torch.distributed`` when initialised, else 0 and 1.
    rows: ``(start, stop)`` global row range to use (e.g. to hold out a validation slice); default all.
    loop: True streams epoch after epoch without end; False stops at the end of the current epoch
        (the last batch may be short unless ``drop_last``).
    segment_ids: also yield document segment ids for a document-boundary attention mask.
    window_blocks: row groups shuffled together (a larger window shuffles better, holds more in memory).
    prefetch_batches: how many of a worker's next batches it looks ahead to read their row groups.
    read_threads: background threads reading row groups per worker.
    verify: check each shard's sha256 on first open.
    cache_dir: copy remote shards here once and read the local copies.
    """

    def __init__(
        self,
        manifest: str | ShardManifest,
        batch_size: int,
        seed: int = 0,
        rank: int | None = None,
        world_size: int | None = None,
        rows: tuple[int, int] | None = None,
        loop: bool = True,
        drop_last: bool = False,
        segment_ids: bool = False,
        window_blocks: int = 8,
        prefetch_batches: int = 16,
        read_threads: int = 2,
        verify: bool = True,
        cache_dir: str | None = None,
    ):
        super().__init__()
        self.manifest = manifest if isinstance(manifest, ShardManifest) else ShardManifest.load(manifest)
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if rank is None or world_size is None:
            r, w = _dist_rank_world()
            rank = r if rank is None else rank
            world_size = w if world_size is None else world_size
        self.batch_size = int(batch_size)
        self.rank, self.world_size = int(rank), int(world_size)
        self.loop, self.drop_last, self.segment_ids = loop, drop_last, segment_ids
        self.prefetch_batches = max(1, int(prefetch_batches))
        self.read_threads = max(1, int(read_threads))
        self.reader = ShardReader(self.manifest, verify=verify, cache_dir=cache_dir)
        total = self.manifest.rows
        start, stop = rows if rows is not None else (0, total)
        if not 0 <= start < stop <= total:
            raise ValueError(f"row range {(start, stop)} outside [0, {total}) or empty")
        self.row_range = (int(start), int(stop))
        self.order = SampleOrder(self._blocks(start, stop), seed=seed, window_blocks=window_blocks)
        s, e = self.order.rank_slice(self.rank, self.world_size)
        self.rows_per_epoch = e - s  # this rank's share of one epoch
        if drop_last and self.rows_per_epoch < self.batch_size and not loop:
            raise ValueError(f"{self.rows_per_epoch} rows per epoch on this rank cannot fill one batch of {batch_size}")
        self._position = 0
        self._packed = False  # yield the compact form (set by ShardLoader while it iterates)

    def _blocks(self, start: int, stop: int) -> list[Block]:
        from concurrent.futures import ThreadPoolExecutor as Pool

        shards = self.manifest.shards
        with Pool(max_workers=min(16, len(shards))) as pool:
            groups = list(pool.map(self.reader.row_groups, range(len(shards))))
        blocks, base = [], 0
        for i, counts in enumerate(groups):
            g0 = 0
            for g, n in enumerate(counts):
                lo, hi = max(start, base + g0), min(stop, base + g0 + n)
                if lo < hi:
                    blocks.append(Block(i, g, g0, lo - base, hi - base, lo))
                g0 += n
            base += g0
        return blocks

    # -- state -----------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self._position // self.rows_per_epoch

    def state_dict(self) -> dict:
        """Where the consumer stands: epoch, samples consumed in it and in total, and the order's identity."""
        return {
            "format": STATE_FORMAT,
            "epoch": self.epoch,
            "samples_in_epoch": self._position % self.rows_per_epoch,
            "samples_consumed": self._position,
            "seed": self.order.seed,
            "world_size": self.world_size,
            "rows": list(self.row_range),
            "window_blocks": self.order.window_blocks,
        }

    def seek(self, samples_consumed: int) -> None:
        """Move to a stream position (0 restarts the first epoch)."""
        if samples_consumed < 0:
            raise ValueError("position must be >= 0")
        self._position = int(samples_consumed)

    def load_state_dict(self, state: dict) -> None:
        """Resume at a saved position; the order must be the same (seed, rows, world size, window)."""
        for key, mine in (
            ("seed", self.order.seed),
            ("world_size", self.world_size),
            ("rows", list(self.row_range)),
            ("window_blocks", self.order.window_blocks),
        ):
            if state.get(key) != mine:
                raise ValueError(
                    f"loader state was saved with {key}={state.get(key)!r}, this loader has {mine!r}: "
                    "the data order would differ, so the position cannot be restored"
                )
        self.seek(int(state["samples_consumed"]))

    # -- iteration -------------------------------------------------------
    def _plan(self, start: int, worker: int, workers: int):
        """Yield (stream positions) of this worker's batches, from stream position ``start``."""
        limit = None
        if not self.loop:
            limit = (start // self.rows_per_epoch + 1) * self.rows_per_epoch
        k = worker
        while True:
            lo = start + k * self.batch_size
            hi = lo + self.batch_size
            if limit is not None:
                if lo >= limit:
                    return
                if hi > limit:
                    if self.drop_last:
                        return
                    hi = limit
            yield np.arange(lo, hi, dtype=np.int64)
            k += workers

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        start = self._position
        plan = self._plan(start, worker, workers)
        pool = ThreadPoolExecutor(max_workers=self.read_threads, thread_name_prefix="shard-read")
        cache: OrderedDict[int, Future] = OrderedDict()  # block index -> Future[RowGroup]
        window: deque = deque()
        cap = 2 * self.order.window_blocks + 2
        blocks = self.order.blocks

        def group_key(b: int) -> tuple[int, int]:
            return blocks[b].shard, blocks[b].group

        def fetch(key):
            fut = cache.get(key)
            if fut is None:
                fut = pool.submit(self.reader.read_group, key[0], key[1], self.segment_ids)
                cache[key] = fut
            cache.move_to_end(key)
            return fut

        try:
            exhausted = False
            while True:
                while not exhausted and len(window) < self.prefetch_batches:
                    try:
                        positions = next(plan)
                    except StopIteration:
                        exhausted = True
                        break
                    _, ids = self.order.stream_rows(self.rank, self.world_size, positions)
                    b = self.order.block_of(ids)
                    window.append((positions, ids, b))
                if not window:
                    return
                # Read ahead: every row group the looked-ahead batches need, in order of need.
                wanted: list[tuple[int, int]] = []
                for _, _, b in window:
                    for key in dict.fromkeys(group_key(x) for x in np.unique(b)):
                        if key not in wanted:
                            wanted.append(key)
                for key in wanted:
                    fetch(key)
                positions, ids, b = window.popleft()
                packed = self._assemble(positions, ids, b, fetch)
                keep = set(wanted)
                for key in list(cache):
                    if len(cache) <= cap:
                        break
                    if key not in keep:
                        del cache[key]
                if info is None:
                    self._position = int(positions[-1]) + 1
                if self._packed == "wire":
                    yield to_wire(packed)
                else:
                    yield packed if self._packed else unpack(packed, self.manifest.pad_id)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _assemble(self, positions, ids, b, fetch) -> dict[str, torch.Tensor]:
        """The compact batch: one int32 tensor of rows (cheap to hand between processes), the index."""
        n = len(ids)
        width = self.manifest.seq_len + 1
        dtype = np.uint16 if self.manifest.dtype == "uint16" else np.uint32
        rows = np.empty((n, width), dtype=dtype)
        seg = np.zeros((n, width), dtype=np.int32) if self.segment_ids else None
        blocks = self.order.blocks
        for x in np.unique(b):
            blk = blocks[x]
            sel = np.nonzero(b == x)[0]
            local = ids[sel] - blk.first_id + (blk.start - blk.group_start)  # row within the row group
            group = fetch((blk.shard, blk.group)).result()
            rows[sel] = group.tokens[local]
            if seg is not None:
                lo, hi = group.offsets[local], group.offsets[local + 1]
                counts = hi - lo
                if counts.sum():
                    which = np.repeat(sel, counts)
                    first = np.cumsum(counts) - counts
                    idx = np.arange(counts.sum()) - np.repeat(first, counts) + np.repeat(lo, counts)
                    seg[which, group.starts[idx]] = 1  # starts within a row are distinct
        index = np.append(ids, int(positions[-1]) + 1)
        packed = {"rows": torch.from_numpy(rows.astype(np.int32)), "index": torch.from_numpy(index)}
        if seg is not None:
            packed["segment_ids"] = torch.from_numpy(np.cumsum(seg, axis=1, dtype=np.int32)[:, :-1].copy())
        return packed


def to_wire(packed: dict[str, torch.Tensor]) -> torch.Tensor:
    """One int32 tensor holding a compact batch (passing one tensor between processes costs about
    a third of passing three): ``[B, has_segments]``, the int64 index as int32 pairs, rows, segments."""
    rows, index, seg = packed["rows"], packed["index"], packed.get("segment_ids")
    b = rows.shape[0]
    parts = [torch.tensor([b, seg is not None], dtype=torch.int32), index.view(torch.int32), rows.reshape(-1)]
    if seg is not None:
        parts.append(seg.reshape(-1))
    return torch.cat(parts)


def from_wire(wire: torch.Tensor, width: int) -> dict[str, torch.Tensor]:
    """Inverse of ``to_wire``; ``width`` is ``seq_len + 1``. Views, no copies."""
    b, has_seg = int(wire[0]), bool(wire[1])
    at = 2 + 2 * (b + 1)
    out = {"index": wire[2:at].view(torch.int64), "rows": wire[at : at + b * width].view(b, width)}
    if has_seg:
        out["segment_ids"] = wire[at + b * width :].view(b, width - 1)
    return out


def unpack(packed: dict[str, torch.Tensor], pad_id: int, device: torch.device | str | None = None) -> dict[str, torch.Tensor]:
    """The batch dict from its compact form (int32 rows ``[B, seq_len + 1]`` and an index of row ids
    plus the position), optionally moved to ``device`` first so the widening runs there."""
    if device is not None:  # the index stays on the CPU: reading it back would wait for the device
        packed = {k: v if k == "index" else v.to(device, non_blocking=True) for k, v in packed.items()}
    x = packed["rows"].long()
    targets = x[:, 1:].clone()
    targets[targets == pad_id] = IGNORE_INDEX
    index = packed["index"]
    out = {
        "input_ids": x[:, :-1].contiguous(),
        "targets": targets,
        "row_ids": index[:-1],
        "position": index[-1],
    }
    if "segment_ids" in packed:
        out["segment_ids"] = packed["segment_ids"]
    return out


class ShardLoader:
    """A DataLoader over a ``ShardDataset`` that keeps the dataset's position in step with what it
    hands out, so ``state_dict()`` is exact even with worker processes reading ahead.

    Workers hand over the compact form in one int32 tensor (``to_wire``: a tensor per field costs
    more between processes than the data), widened here, on ``device`` when one is given (then pinned
    host memory lets the copy overlap). Worker processes are forked for local shards and spawned
    for remote ones (an S3 client must not cross a fork). Each ``iter()`` starts from the
    dataset's current position.
    """

    def __init__(
        self,
        dataset: ShardDataset,
        num_workers: int = 0,
        pin_memory: bool = False,
        prefetch_factor: int = 4,
        device: torch.device | str | None = None,
    ):
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.prefetch_factor = prefetch_factor
        self.device = device

    def __iter__(self):
        ds = self.dataset
        if self.num_workers == 0:
            ds._packed = True
            try:
                for packed in ds:
                    batch = unpack(packed, ds.manifest.pad_id, self.device)
                    ds._position = int(batch["position"])
                    yield batch
            finally:
                ds._packed = False
            return
        kwargs = {"prefetch_factor": self.prefetch_factor}
        if any(is_url(s.url) for s in ds.manifest.shards):
            kwargs["multiprocessing_context"] = "spawn"
        ds._packed = "wire"
        try:
            dl = DataLoader(ds, batch_size=None, num_workers=self.num_workers, pin_memory=self.pin_memory, **kwargs)
            it = iter(dl)  # workers take their copy of the dataset now
        finally:
            ds._packed = False
        width = ds.manifest.seq_len + 1
        for wire in it:
            batch = unpack(from_wire(wire, width), ds.manifest.pad_id, self.device)
            ds._position = int(batch["position"])
            yield batch

    def state_dict(self) -> dict:
        return self.dataset.state_dict()

    def seek(self, samples_consumed: int) -> None:
        self.dataset.seek(samples_consumed)

    def load_state_dict(self, state: dict) -> None:
        self.dataset.load_state_dict(state)

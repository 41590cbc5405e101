import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.training.order import Block, SampleOrder


def blocks_from(sizes: list[int]) -> list[Block]:
    out, first = [], 0
    for i, n in enumerate(sizes):
        out.append(Block(shard=i, group=0, group_start=0, start=0, stop=n, first_id=first))
        first += n
    return out


layouts = st.lists(st.integers(1, 30), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(sizes=layouts, window=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), epoch=st.integers(0, 5))
def test_each_epoch_is_a_permutation_of_all_rows(sizes, window, seed, epoch):
    order = SampleOrder(blocks_from(sizes), seed=seed, window_blocks=window)
    ids = order.rows(epoch, np.arange(order.num_rows))
    assert sorted(ids.tolist()) == list(range(sum(sizes)))


@settings(max_examples=60, deadline=None)
@given(sizes=layouts, window=st.integers(1, 5), seed=st.integers(0, 1000), world=st.integers(1, 6))
def test_ranks_are_disjoint_and_cover_each_epoch(sizes, window, seed, world):
    order = SampleOrder(blocks_from(sizes), seed=seed, window_blocks=window)
    if order.num_rows < world:
        with pytest.raises(ValueError):
            order.rank_slice(world - 1, world)
        return
    for epoch in (0, 1):
        seen = []
        for rank in range(world):
            start, stop = order.rank_slice(rank, world)
            per = stop - start
            _, ids = order.stream_rows(rank, world, np.arange(epoch * per, (epoch + 1) * per))
            seen.extend(ids.tolist())
        assert sorted(seen) == list(range(order.num_rows))
    sizes_per_rank = [np.subtract(*order.rank_slice(r, world)[::-1]) for r in range(world)]
    assert max(sizes_per_rank) - min(sizes_per_rank) <= 1


def test_order_depends_on_seed_and_epoch_only():
    blocks = blocks_from([7, 3, 9, 5, 8, 2])
    a = SampleOrder(blocks, seed=5, window_blocks=2)
    b = SampleOrder(blocks, seed=5, window_blocks=2)
    pos = np.arange(a.num_rows)
    # query b in a scrambled order of positions: answers do not depend on access pattern or caching
    scrambled = np.random.default_rng(0).permutation(pos)
    assert np.array_equal(a.rows(0, pos)[scrambled], b.rows(0, scrambled))
    assert not np.array_equal(a.rows(0, pos), a.rows(1, pos))
    c = SampleOrder(blocks, seed=6, window_blocks=2)
    assert not np.array_equal(a.rows(0, pos), c.rows(0, pos))


def test_window_keeps_reads_local():
    """Rows of one window come from at most ``window_blocks`` blocks."""
    blocks = blocks_from([10] * 12)
    order = SampleOrder(blocks, seed=3, window_blocks=3)
    ids = order.rows(0, np.arange(order.num_rows))
    for w in range(4):
        assert len(set(order.block_of(ids[w * 30 : (w + 1) * 30]).tolist())) == 3


def test_stream_moves_to_next_epoch():
    order = SampleOrder(blocks_from([4, 4, 3]), seed=0, window_blocks=2)
    start, stop = order.rank_slice(1, 2)
    per = stop - start
    epochs, ids = order.stream_rows(1, 2, np.arange(3 * per))
    assert epochs.tolist() == [0] * per + [1] * per + [2] * per
    assert np.array_equal(ids[per : 2 * per], order.rows(1, np.arange(start, stop)))


def test_too_many_ranks_is_refused():
    order = SampleOrder(blocks_from([2]), seed=0)
    with pytest.raises(ValueError, match="cannot feed"):
        order.rank_slice(2, 3)

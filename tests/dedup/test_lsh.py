import numpy as np
import pytest
from datasketch import MinHashLSH

from kocorpus.dedup.lsh import band_keys, candidate_probability, optimal_bands


@pytest.mark.parametrize("threshold,num_perm,weights", [(0.8, 128, (0.5, 0.5)), (0.7, 64, (0.3, 0.7)), (0.9, 256, (0.5, 0.5))])
def test_bands_and_rows_are_datasketchs_choice(threshold, num_perm, weights):
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    assert optimal_bands(threshold, num_perm, weights) == (lsh.b, lsh.r)


def test_band_keys_equal_exactly_when_band_values_equal():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(200, 20), dtype=np.uint32)
    sig[1, :5] = sig[0, :5]  # same first band
    sig[2, 5:10] = sig[0, 5:10]  # same second band
    keys = band_keys(sig, 4, 5)
    assert keys.shape == (200, 4) and keys.dtype == np.int64
    assert keys[1, 0] == keys[0, 0] and keys[1, 1] != keys[0, 1]
    assert keys[2, 1] == keys[0, 1] and keys[2, 0] != keys[0, 0]
    # distinct band contents give distinct keys across the batch
    for b in range(4):
        vals = {tuple(r) for r in sig[:, b * 5 : (b + 1) * 5].tolist()}
        assert len(set(keys[:, b].tolist())) == len(vals)
    # keys depend only on the values, not on the batch
    assert np.array_equal(band_keys(sig[5:7], 4, 5), keys[5:7])


def test_candidate_probability_is_monotone():
    b, r = optimal_bands(0.8, 128)
    ps = [candidate_probability(j / 20, b, r) for j in range(21)]
    assert ps == sorted(ps) and ps[0] == 0.0 and ps[-1] == 1.0

import hashlib

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.dedup.minhash import MinHashSignatures, estimated_jaccard, permutations
from kocorpus.dedup.shingles import shingles

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
MIXED = st.one_of(
    HANGUL,
    st.sampled_from(list(" \t\n.,!?~ㅋㅎㅠ·…「」🙂😀#@%0123456789")),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(codec="utf-8"),
)
korean_text = st.text(HANGUL | st.just(" "), max_size=300)
mixed_text = st.text(MIXED, max_size=300)


def datasketch_signature(text, kind, n, num_perm, seed):
    m = MinHash(num_perm=num_perm, seed=seed)
    m.update_batch([s.encode("utf-8") for s in shingles(text, kind, n)])
    return m.hashvalues


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize(
    "kind,n,num_perm,seed", [("char", 5, 128, 1), ("char", 3, 64, 42), ("word", 3, 128, 7), ("word", 1, 256, 2), ("char", 20, 32, 3)]
)
@settings(max_examples=25, deadline=None)
@given(texts=st.lists(korean_text | mixed_text | st.none(), min_size=1, max_size=8))
def test_signatures_equal_datasketch_bit_for_bit(engine, kind, n, num_perm, seed, texts):
    sig, counts = MinHashSignatures(num_perm, seed, kind, n, engine=engine).compute(texts)
    assert sig.dtype == np.uint32 and sig.shape == (len(texts), num_perm)
    for i, t in enumerate(texts):
        assert counts[i] == len(shingles(t, kind, n))
        assert np.array_equal(sig[i], datasketch_signature(t, kind, n, num_perm, seed))


def test_long_shingles_use_multi_block_sha1():
    # word 3-grams of long words exceed one SHA-1 block (55 bytes)
    texts = [" ".join(["가나다라마바사아자차카타파하" * k for k in (1, 2, 3, 4, 5)])]
    sig, counts = MinHashSignatures(128, 1, "word", 3, engine="numba").compute(texts)
    assert counts[0] == 3
    assert np.array_equal(sig[0], datasketch_signature(texts[0], "word", 3, 128, 1))


def test_permutations_are_datasketchs():
    a, b = permutations(64, 9)
    m = MinHash(num_perm=64, seed=9)
    assert np.array_equal(a, m.permutations[0]) and np.array_equal(b, m.permutations[1])


def test_too_short_documents_have_no_shingles():
    sig, counts = MinHashSignatures(16, 1, "char", 5).compute(["가나다라", "가나다라마", None, ""])
    assert counts.tolist() == [0, 1, 0, 0]
    assert (sig[0] == np.uint32(0xFFFFFFFF)).all()


def test_estimated_jaccard_matches_datasketch():
    a_text, b_text = "오늘 서울의 날씨는 맑고 화창합니다 내일은 비", "오늘 서울의 날씨는 맑고 화창합니다 모레는 눈"
    sig, _ = MinHashSignatures(128, 1).compute([a_text, b_text])
    ma, mb = (MinHash(num_perm=128, seed=1) for _ in range(2))
    ma.update_batch([s.encode() for s in shingles(a_text)])
    mb.update_batch([s.encode() for s in shingles(b_text)])
    assert estimated_jaccard(sig[0], sig[1]) == ma.jaccard(mb)


def _sha1_prefixes(msgs):
    return [int.from_bytes(hashlib.sha1(m).digest()[:4], "little") for m in msgs]


def _spans(msgs):
    data = np.frombuffer(b"".join(msgs) + b"\0", dtype=np.uint8)
    lengths = np.array([len(m) for m in msgs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return data, starts, lengths


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=150), min_size=1, max_size=40))
def test_compiled_sha1_matches_hashlib(msgs):
    from kocorpus.dedup import _minhash_kernel

    data, starts, lengths = _spans(msgs)
    out = np.zeros(len(msgs), dtype=np.uint32)
    _minhash_kernel.sha1_first32_many(data, starts, lengths, out)
    assert out.tolist() == _sha1_prefixes(msgs)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_production_setting_equals_datasketch_across_the_numpy_chunk_boundary(engine):
    """char 5-grams, 256 permutations, seed 1 (the defaults): documents short and long enough that
    the numpy engine's 16,384-shingle chunks split one document's shingles."""
    import random

    rng = random.Random(3)
    syllables = [chr(0xAC00 + rng.randrange(11172)) for _ in range(400)]
    make = lambda n: "".join(rng.choice(syllables) if rng.random() > 0.15 else " " for _ in range(n))  # noqa: E731
    texts = [make(30), make(16_380), make(40_000), make(5), make(3_000)]
    sig, counts = MinHashSignatures(256, 1, "char", 5, engine=engine).compute(texts)
    assert counts.sum() > 2 * ((1 << 22) // 256)  # more than two chunks in all
    for i, t in enumerate(texts):
        assert np.array_equal(sig[i], datasketch_signature(t, "char", 5, 256, 1)), i

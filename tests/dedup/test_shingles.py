import unicodedata

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from kocorpus.dedup.shingles import normalize_for_shingling, normalize_text, shingles


def norm(t):
    return normalize_for_shingling(pa.array([t]))[0].as_py()


def test_punctuation_symbols_and_whitespace_collapse_to_one_space():
    assert norm("  안녕하세요!!  세계…\n\n반가워요 😀 ") == "안녕하세요 세계 반가워요"
    assert norm("Hello,\tWORLD") == "hello world"


@given(st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3) | st.just(" ")))
def test_hangul_syllables_are_never_decomposed(text):
    out = norm(text)
    assert out == unicodedata.normalize("NFC", out)
    assert all(0xAC00 <= ord(c) <= 0xD7A3 or c == " " for c in out)
    assert out == " ".join(text.split())


def test_char_and_word_shingles():
    assert shingles("가나다 라", "char", 3) == ["가나다", "나다 ", "다 라"]
    assert shingles("오늘 날씨가 정말 좋다", "word", 2) == ["오늘 날씨가", "날씨가 정말", "정말 좋다"]
    assert shingles("짧은", "word", 2) == []
    assert shingles(None, "char", 2) == []


@given(st.text(max_size=80), st.integers(1, 6))
def test_char_shingles_cover_the_normalized_text(text, n):
    sh = shingles(text, "char", n)
    t = norm(text)
    assert len(sh) == max(0, len(t) - n + 1)
    if sh:
        assert sh[0] + "".join(s[-1] for s in sh[1:]) == t


@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=10))
def test_compiled_normalisation_equals_the_reference(texts):
    got = normalize_for_shingling(pa.array(texts, type=pa.string())).to_pylist()
    assert got == [normalize_text(t) for t in texts]
    for t in got:
        assert t == t.strip(" ") and "  " not in t

"""The folded view used by PII detection: what it folds, and that its offset map tiles the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kocorpus.filters.pii_fold import HANGUL_DIGITS, WIDTH_FOLD, fold

PIECES = st.sampled_from(
    [
        "골뱅이", " 골뱅이 ", "닷컴", " 닷 ", "쩜", "점컴", " at ", "(at)", "[dot]", " dot ", " @ ", "@", "네이버", "다음",
        "\u00ad", "\u200b", "\ufeff", "공일공", "일이삼사", "오육칠팔", "이에요", "영", " ", "-", "．", "－", "ㅡ", "·",
        "０", "１", "９", "ａ", "Ｚ", "＠", "（", "）", "\u3000", "hong", "naver", "com", "010", "1234", "kr",
    ]
)
TEXTS = st.lists(PIECES | st.text(max_size=4), max_size=16).map("".join)


def units(view):
    """The (start, end) original span of each view character."""
    return [view.span(i, i + 1) for i in range(len(view.text))]


@given(TEXTS)
def test_units_tile_the_original_text(text):
    view = fold(text)
    spans = units(view)
    if not spans:
        assert all(c in "\u00ad\u200b\u200c\u200d\u2060\ufeff" for c in text)
        return
    distinct = [s for i, s in enumerate(spans) if i == 0 or s != spans[i - 1]]
    assert distinct[0][0] == 0 and distinct[-1][1] == len(text)
    for (a, b), (c, d) in zip(distinct, distinct[1:]):
        assert a < b == c < d  # in order, contiguous, non-empty: each original character in exactly one unit
    assert len(set(distinct)) == len(distinct)  # a unit's view characters are consecutive


@given(TEXTS, st.data())
def test_a_view_span_maps_to_the_whole_units_it_touches(text, data):
    view = fold(text)
    if not view.text:
        return
    a = data.draw(st.integers(0, len(view.text) - 1))
    b = data.draw(st.integers(a + 1, len(view.text)))
    spans = units(view)
    s, e = view.span(a, b)
    assert (s, e) == (spans[a][0], spans[b - 1][1])
    assert view.source(a, b) == text[s:e]


@given(TEXTS)
def test_one_to_one_units_are_the_width_or_numeral_fold_of_their_character(text):
    view = fold(text)
    spans = units(view)
    for i, (s, e) in enumerate(spans):
        alone = spans.count((s, e)) == 1
        if alone and e - s == 1:
            c = text[s].translate(WIDTH_FOLD)
            assert view.text[i] in (c, HANGUL_DIGITS.get(c))
            if view.text[i] != c:
                assert view.has_numerals(i, i + 1)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="".join(map(chr, WIDTH_FOLD)) + "".join(HANGUL_DIGITS) + "@골닷쩜점\u00ad\u200b\u200c\u200d\u2060\ufeff()[] ")))
def test_text_without_foldable_characters_is_its_own_view(text):
    view = fold(text)
    assert view.text == text and view.starts is None and view.numerals == ()


@pytest.mark.parametrize(
    "text, folded",
    [
        ("０１０－１２３４－５６７８", "010-1234-5678"),
        ("９００１０１—１２３４５６７", "900101-1234567"),
        ("010ㅡ1234ㅡ5678", "010-1234-5678"),
        ("010·1234·5678", "010.1234.5678"),
        ("（０２）１２３－４５６７", "(02)123-4567"),
        ("ｈｏｎｇ＠ｎａｖｅｒ．ｃｏｍ", "hong@naver.com"),
        ("900101-1●●●●●●", "900101-1******"),
        ("전화 공일공 일이삼사 오육칠팔", "전화 010 1234 5678"),
        ("폰 영일영-일이삼사-오육칠팔이에요", "폰 010-1234-5678이에요"),
        ("hong 골뱅이 naver 닷컴", "hong@naver.com"),
        ("hong골뱅이네이버쩜컴", "hong@naver.com"),
        ("hong (at) daum [dot] net", "hong@daum.net"),
        ("kim at korea dot kr", "kim@korea.kr"),
        ("kim @ daum.net", "kim@daum.net"),
        ("010\u00ad1234\u200b5678", "01012345678"),
    ],
)
def test_written_forms_fold_to_ascii(text, folded):
    assert fold(text).text == folded


@pytest.mark.parametrize(
    "text",
    ["이사 일일 오늘 삼삼오오", "구구단 일이삼", "골뱅이 무침 닷컴 버블", "닷새 동안", "look at this", "사이에 일이 있어서 이사를"],
)
def test_ordinary_words_are_not_folded(text):
    assert fold(text).text == text


def test_numeral_spans_mark_digits_that_were_hangul():
    view = fold("전화 공일공 1234 오육칠팔, 주문 2024-1234-5678")
    a = view.text.index("010")
    assert view.has_numerals(a, a + 3)
    b = view.text.index("2024")
    assert not view.has_numerals(b, b + 14)


def test_map_back_across_a_spelled_form():
    text = "메일 hong 골뱅이 naver 닷컴 으로"
    view = fold(text)
    a = view.text.index("hong")
    s, e = view.span(a, a + len("hong@naver.com"))
    assert text[s:e] == "hong 골뱅이 naver 닷컴"

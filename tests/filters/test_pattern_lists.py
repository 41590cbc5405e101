"""The fast word alternations find exactly what a plain longest-first alternation finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.filters.pattern_lists import trie_alternation, word_alternation
from kocorpus.filters.pii_patterns import CONTEXT_WORDS, OTHER_NUMBER_LABELS

LETTERS = "aAbBcC가나다이름 .:0"
words = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=4), min_size=1, max_size=8)
texts = st.text(alphabet=LETTERS, max_size=40)


def plain(ws, ignore_case: bool) -> re.Pattern:
    ordered = sorted({w.lower() if ignore_case else w for w in ws}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE if ignore_case else 0)


def spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(words, texts, st.booleans())
def test_word_alternation_matches_the_plain_alternation(ws, text, ignore_case):
    fast = re.compile(word_alternation(ws, ignore_case))
    assert spans(fast, text) == spans(plain(ws, ignore_case), text)


@settings(max_examples=200, deadline=None)
@given(words, texts)
def test_trie_alternation_matches_the_plain_alternation(ws, text):
    assert spans(re.compile(trie_alternation(ws)), text) == spans(plain(ws, False), text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="계좌통장은행주문번호 KBNHbank ORDER0123:", max_size=40))
def test_the_redactors_label_lists(text):
    for ws in [*CONTEXT_WORDS.values(), OTHER_NUMBER_LABELS]:
        assert spans(re.compile(word_alternation(ws, True)), text) == spans(plain(ws, True), text)


def test_no_words_never_matches():
    assert re.compile(word_alternation([])).search("anything") is None

"""FineWeb-2's quality rules: the Korean (``kor_Hang``) values, their measurement, datatrove's filters.

Source of the values: ``configs/kor_Hang.yml`` and ``fineweb-2-pipeline.py``
in github.com/huggingface/fineweb-2. The pipeline applies, per language,
``GopherRepetitionFilter`` (paragraph and line-character rules off),
``FineWebQualityFilter`` (short-line rule off, ``char_duplicates_ratio``
0.1) and ``GopherQualityFilter`` (its other arguments at datatrove's
defaults, ``min_stop_words`` 2) with the values of the language's config.

This module measures every rule's value with the same formulas as those
classes (datatrove's own helpers), split by cost:

- :func:`line_signals` needs no words (one pass over lines);
- :func:`word_signals` needs the words of :class:`KiwiWordTokenizer`.

Two measurements take options that change what they count (off by default,
so FineWeb-2's values are reproduced exactly): what ends a line
(:func:`line_ends_sentence`: closing quotes/brackets after the punctuation,
Korean sentence-final syllables) and which words the alphabetic-word share
counts (:func:`alpha_words_ratio`: symbol-only words left out, numbers
counted as words). ``bench/quality_calibrate.py`` measures both choices.

:func:`datatrove_filters` builds the three classes with given thresholds
(``None`` disables a rule), and :data:`DATATROVE_REASONS` maps their drop
reasons to this project's reason codes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

from datatrove.pipeline.filters.gopher_repetition_filter import (
    find_all_duplicate,
    find_duplicates,
    find_top_duplicate,
    get_n_grams,
)
from datatrove.utils.text import PUNCTUATION_SET, TERMINAL_PUNCTUATION

#: FineWeb-2's 21 Korean stop words (configs/kor_Hang.yml).
KOR_HANG_STOP_WORDS: tuple[str, ...] = (
    "의", "다", "이", "는", "에", "을", "한", "년", "하", "은", "를",
    "했", "고", "에서", "가", "있", "으로", "인", "월", "로", "되",
)  # fmt: skip

#: Every threshold FineWeb-2 applies to Korean, by datatrove constructor argument.
#: ``None`` marks a rule FineWeb-2 switches off.
KOR_HANG: dict[str, Any] = {
    # FineWebQualityFilter
    "line_punct_thr": 0.062,
    "line_punct_exclude_zero": False,
    "short_line_thr": None,  # FineWeb-2 passes 999: off
    "short_line_length": 30,
    "char_duplicates_ratio": 0.1,
    "new_line_ratio": 0.196,
    # GopherRepetitionFilter
    "dup_line_frac": 0.374,
    "dup_para_frac": None,
    "dup_line_char_frac": None,
    "dup_para_char_frac": None,
    "top_n_grams": ((2, 0.282), (3, 0.228), (4, 0.185)),
    "dup_n_grams": ((5, 0.201), (6, 0.184), (7, 0.168), (8, 0.154), (9, 0.14), (10, 0.127)),
    # GopherQualityFilter (the first four and the two line rules are datatrove defaults)
    "min_doc_words": 50,
    "max_doc_words": 100_000,
    "min_avg_word_length": 1,
    "max_avg_word_length": 6,
    "max_symbol_word_ratio": 0.1,
    "max_bullet_lines_ratio": 0.9,
    "max_ellipsis_lines_ratio": 0.3,
    "max_non_alpha_words_ratio": 0.791,
    "min_stop_words": 2,
    "stop_words": KOR_HANG_STOP_WORDS,
}

_PARAGRAPH = re.compile(r"\n{2,}")
_LINE_SPLIT = re.compile("\n+")
_STOP_CHARS = tuple(TERMINAL_PUNCTUATION)
#: Closing quotes and brackets that may follow a sentence's final punctuation (``다.\"``, ``다.)``).
CLOSERS = "\"'”’»›」』)]}〉》】〕〗〙〛）］｝＞>"
# What may trail a sentence's end: whitespace, closers, footnote marks ("했다.[2][3]").
_TRAILING = re.compile(r"(?:[\s" + re.escape(CLOSERS) + r"]|\[\d{1,3}\])+\Z")
_NUMBER = re.compile(r"[+\-−±]?\d+(?:[.,:/\-~]\d+)*")


def line_ends_sentence(line: str, closers: bool = False, endings: Sequence[str] = ()) -> bool:
    """Whether ``line`` counts as ending in terminal punctuation for ``line_punct_ratio``.

    Defaults are FineWeb-2's test (``line.endswith`` one of datatrove's
    ``TERMINAL_PUNCTUATION``, trailing whitespace included). ``closers``:
    trailing whitespace and closing quotes/brackets (:data:`CLOSERS`) are
    stripped first, and so are footnote marks (``[2]``), so ``했다.\"``,
    ``했다.)`` and ``했다.[2]`` end a sentence. ``endings``:
    a line whose last characters (after that stripping, if on) are one of
    these also ends a sentence (Korean sentence-final syllables: ``다``, ``요``).
    """
    if line.endswith(_STOP_CHARS):
        return True
    if not closers and not endings:
        return False
    end = _TRAILING.sub("", line) if closers else line.rstrip()
    return end.endswith(_STOP_CHARS) or (bool(endings) and end.endswith(tuple(endings)))


def line_signals(
    text: str,
    short_line_length: int = 30,
    punct_closers: bool = False,
    punct_endings: Sequence[str] = (),
) -> dict[str, float]:
    """Rule values that need no words. ``text`` must contain a non-blank character.

    Keys: ``line_punct_ratio``, ``short_line_ratio``, ``char_dup_ratio``
    (FineWebQualityFilter); ``dup_para_frac``, ``dup_para_char_frac``,
    ``dup_line_frac``, ``dup_line_char_frac`` (GopherRepetitionFilter);
    ``bullet_lines_ratio``, ``ellipsis_lines_ratio`` (GopherQualityFilter).
    Fractions are of lines, paragraphs or characters, as in datatrove.
    ``punct_closers`` and ``punct_endings`` change what ends a line
    (:func:`line_ends_sentence`); off, ``line_punct_ratio`` is datatrove's.
    """
    s: dict[str, float] = {}
    lines = [line for line in text.split("\n") if line.strip() != ""]
    endings = tuple(punct_endings or ())
    s["line_punct_ratio"] = sum(1 for line in lines if line_ends_sentence(line, punct_closers, endings)) / len(lines)
    s["short_line_ratio"] = sum(1 for line in lines if len(line) <= short_line_length) / len(lines)
    s["char_dup_ratio"] = find_duplicates(lines)[1] / len(text.replace("\n", ""))

    paragraphs = _PARAGRAPH.split(text.strip())
    dup_paras, dup_para_chars = find_duplicates(paragraphs)
    s["dup_para_frac"] = dup_paras / len(paragraphs)
    s["dup_para_char_frac"] = dup_para_chars / len(text)
    rep_lines = _LINE_SPLIT.split(text)
    dup_lines, dup_line_chars = find_duplicates(rep_lines)
    s["dup_line_frac"] = dup_lines / len(rep_lines)
    s["dup_line_char_frac"] = dup_line_chars / len(text)

    all_lines = text.splitlines()
    s["bullet_lines_ratio"] = sum(
        line.lstrip().startswith("•") or line.lstrip().startswith("-") for line in all_lines
    ) / len(all_lines)
    s["ellipsis_lines_ratio"] = sum(
        line.rstrip().endswith("...") or line.rstrip().endswith("…") for line in all_lines
    ) / len(all_lines)
    return s


def is_symbol_word(word: str) -> bool:
    """Whether every character of ``word`` is Unicode punctuation (P*) or a symbol (S*): ``(``, ``‘``, ``%``, ``▶``."""
    return all(unicodedata.category(ch)[0] in "PS" for ch in word)


def is_number_word(word: str) -> bool:
    """Whether ``word`` is a number as Kiwi splits them: digits with inner ``. , : / - ~`` (``2021``, ``97,524``, ``3.5``)."""
    return _NUMBER.fullmatch(word) is not None


def alpha_words_ratio(words: Sequence[str], skip_symbols: bool = False, count_numbers: bool = False) -> float:
    """Share of ``words`` holding a letter (``str.isalpha``), in [0, 1].

    Defaults are datatrove's (every word in the denominator, only letters
    count). ``skip_symbols``: symbol-only words (:func:`is_symbol_word`) leave
    the denominator. ``count_numbers``: number words (:func:`is_number_word`)
    count as alphabetic. 0.0 when no word is left to count.
    """
    counted = [w for w in words if not is_symbol_word(w)] if skip_symbols else words
    if not counted:
        return 0.0
    alpha = sum(1 for w in counted if any(c.isalpha() for c in w) or (count_numbers and is_number_word(w)))
    return alpha / len(counted)


def word_signals(
    text: str,
    words: Sequence[str],
    top_n: Sequence[int] = (2, 3, 4),
    dup_n: Sequence[int] = (5, 6, 7, 8, 9, 10),
    stop_words: Sequence[str] = KOR_HANG_STOP_WORDS,
    alpha_skip_symbols: bool = False,
    alpha_count_numbers: bool = False,
) -> dict[str, float]:
    """Rule values that need words. ``words`` must be non-empty (Kiwi words of ``text``).

    Keys: ``words``; ``new_line_ratio`` (newlines per word); ``top_{n}_gram_frac``
    and ``dup_{n}_gram_frac`` (characters / text length); ``doc_words`` (words
    with a non-punctuation character), ``avg_word_length`` (characters, over
    those words; absent when there are none), ``hash_word_ratio``, ``ellipsis_word_ratio``,
    ``alpha_words_ratio`` (:func:`alpha_words_ratio` with the two ``alpha_`` options),
    ``stop_words`` (distinct stop words present).
    """
    n_words = len(words)
    s: dict[str, float] = {"words": float(n_words), "new_line_ratio": text.count("\n") / n_words}
    for n in top_n:
        n_grams = get_n_grams(list(words), n)
        s[f"top_{n}_gram_frac"] = find_top_duplicate(n_grams) / len(text) if n_grams else 0.0
    for n in dup_n:
        s[f"dup_{n}_gram_frac"] = find_all_duplicate(list(words), n) / len(text)
    non_symbol = [w for w in words if any(ch not in PUNCTUATION_SET for ch in w)]
    s["doc_words"] = float(len(non_symbol))
    if non_symbol:  # absent when there is no such word (datatrove's mean is NaN and never drops)
        s["avg_word_length"] = sum(len(w) for w in non_symbol) / len(non_symbol)
    s["hash_word_ratio"] = text.count("#") / n_words
    s["ellipsis_word_ratio"] = (text.count("...") + text.count("…")) / n_words
    s["alpha_words_ratio"] = alpha_words_ratio(words, alpha_skip_symbols, alpha_count_numbers)
    s["stop_words"] = float(len(set(stop_words).intersection(words)))
    return s


#: datatrove drop reason -> this project's reason code (the config key that governs the rule,
#: or ``top_{n}_gram`` / ``dup_{n}_gram`` for one n-gram size).
DATATROVE_REASONS: dict[str, str] = {
    "empty": "empty_text",
    # FineWebQualityFilter
    "line_punct_ratio": "line_punct_thr",
    "short_line_ratio": "short_line_thr",
    "char_dup_ratio": "char_duplicates_ratio",
    "list_ratio": "new_line_ratio",
    # GopherRepetitionFilter
    "dup_para_frac": "dup_para_frac",
    "dup_para_char_frac": "dup_para_char_frac",
    "dup_line_frac": "dup_line_frac",
    "dup_line_char_frac": "dup_line_char_frac",
    # GopherQualityFilter
    "gopher_short_doc": "min_doc_words",
    "gopher_long_doc": "max_doc_words",
    "gopher_below_avg_threshold": "min_avg_word_length",
    "gopher_above_avg_threshold": "max_avg_word_length",
    "gopher_too_many_hashes": "max_symbol_word_ratio",
    "gopher_too_many_ellipsis": "max_symbol_word_ratio",
    "gopher_too_many_bullets": "max_bullet_lines_ratio",
    "gopher_too_many_end_ellipsis": "max_ellipsis_lines_ratio",
    "gopher_below_alpha_threshold": "max_non_alpha_words_ratio",
    "gopher_enough_stop_words": "min_stop_words",
}


def reason_from_datatrove(reason: str) -> str:
    """This project's reason code for a datatrove drop reason (``top_2_gram``, ``duplicated_5_n_grams``...)."""
    if reason in DATATROVE_REASONS:
        return DATATROVE_REASONS[reason]
    m = re.fullmatch(r"top_(\d+)_gram", reason)
    if m:
        return f"top_{m.group(1)}_gram"
    m = re.fullmatch(r"duplicated_(\d+)_n_grams", reason)
    if m:
        return f"dup_{m.group(1)}_gram"
    return reason


def datatrove_filters(thresholds: dict[str, Any], tokenizer) -> dict[str, Any]:
    """datatrove's three filters with ``thresholds`` (KOR_HANG's keys; ``None`` = off).

    Returns ``{"fineweb_quality", "gopher_repetition", "gopher_quality"}``.
    ``tokenizer`` is the ``WordTokenizer`` they split words with.
    """
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    t = {**KOR_HANG, **thresholds}
    inf = float("inf")
    return {
        # FineWebQualityFilter compares without a None check: neutral values switch rules off.
        "fineweb_quality": FineWebQualityFilter(
            line_punct_thr=t["line_punct_thr"] if t["line_punct_thr"] is not None else 0.0,
            line_punct_exclude_zero=bool(t["line_punct_exclude_zero"]),
            short_line_thr=t["short_line_thr"] if t["short_line_thr"] is not None else inf,
            short_line_length=t["short_line_length"],
            char_duplicates_ratio=t["char_duplicates_ratio"] if t["char_duplicates_ratio"] is not None else inf,
            new_line_ratio=t["new_line_ratio"] if t["new_line_ratio"] is not None else inf,
            language=tokenizer,
        ),
        "gopher_repetition": GopherRepetitionFilter(
            dup_line_frac=t["dup_line_frac"],
            dup_para_frac=t["dup_para_frac"],
            dup_line_char_frac=t["dup_line_char_frac"],
            dup_para_char_frac=t["dup_para_char_frac"],
            top_n_grams=tuple(t["top_n_grams"] or ()),
            dup_n_grams=tuple(t["dup_n_grams"] or ()),
            language=tokenizer,
        ),
        "gopher_quality": GopherQualityFilter(
            min_doc_words=t["min_doc_words"],
            max_doc_words=t["max_doc_words"],
            min_avg_word_length=t["min_avg_word_length"],
            max_avg_word_length=t["max_avg_word_length"],
            max_symbol_word_ratio=t["max_symbol_word_ratio"],
            max_bullet_lines_ratio=t["max_bullet_lines_ratio"],
            max_ellipsis_lines_ratio=t["max_ellipsis_lines_ratio"],
            max_non_alpha_words_ratio=t["max_non_alpha_words_ratio"],
            min_stop_words=t["min_stop_words"],
            stop_words=list(t["stop_words"]),
            language=tokenizer,
        ),
    }

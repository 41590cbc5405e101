"""The folded view of a text that PII detection runs on, with a map back to the original offsets.

Korean pages write the same value in many forms: full-width digits and punctuation
(``０１０－１２３４－５６７８``), other dashes and middle dots as separators, Hangul
numerals (``공일공 일이삼사 오육칠팔``), an ``@`` spelled ``골뱅이``/``(at)``/`` at ``, a dot
spelled ``닷``/``쩜``/``(dot)``, ``닷컴`` for ``.com``. :func:`fold` returns a
:class:`FoldedText` where these read as ASCII, so one set of patterns finds them all,
and maps every span of the view back to the characters it came from. Only the view
is folded: the document text is never changed here (it stays NFC; NFKC would also
turn compatibility jamo into conjoining jamo).

Three kinds of fold, applied in this order:

1. one character to one character (:data:`WIDTH_FOLD`): full-width ASCII (U+FF01-FF5E)
   to ASCII, other spaces to a space, dashes (and ``ㅡ``) to ``-``, middle dots and
   ideographic full stops to ``.``, mask marks (``●○∗``) to ``*``;
2. Hangul numerals to digits, one syllable to one digit, only inside a run that reads
   as a phone number (:data:`NUMERAL_RUN`: a leading zero, 0/공/영, and 6+ more digits,
   ASCII or Hangul, at most one separator between two, with three Hangul numerals in a
   row among them), so ordinary words (``이사``, ``일일``) stay;
3. spelled forms to their ASCII meaning (:data:`SPELLED`), only between ASCII letters
   or digits (``hong 골뱅이 naver 닷컴`` reads ``hong@naver.com``), and invisible
   characters (soft hyphen, zero-width space and joiners) dropped.

Invariant (tested with hypothesis): the view is split into *units*, one per original
piece; units tile the original text in order (every original character lies in exactly
one unit) and every unit gives one or more view characters. ``span(a, b)`` is the
original span of the units under view characters ``a..b-1``. Folds 1 and 2 keep
offsets; only fold 3 changes lengths, and the map is stored only then.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

# ----------------------------------------------------------------------------- fold 1: width and separators


def _width_table() -> dict[int, str]:
    table = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for c in "\u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f":
        table[ord(c)] = " "
    for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\u3161":  # ‐‑‒–—―⁃−﹘﹣ ㅡ
        table[ord(c)] = "-"
    for c in "\u00b7\u2024\u2027\u2219\u30fb\u318d\uff65\ufe52\u3002":  # ·․‧∙・ㆍ･﹒。
        table[ord(c)] = "."
    for c in "\ufe6b":  # ﹫
        table[ord(c)] = "@"
    for c in "\ufe59\u3014":  # ﹙〔
        table[ord(c)] = "("
    for c in "\ufe5a\u3015":  # ﹚〕
        table[ord(c)] = ")"
    for c in "\ufe55\u2236":  # ﹕∶
        table[ord(c)] = ":"
    for c in "\ufe62":  # ﹢
        table[ord(c)] = "+"
    for c in "\u25cf\u25cb\u2217":  # ●○∗ (masked digits: 900101-1●●●●●●)
        table[ord(c)] = "*"
    return table


#: One-to-one folds (``str.translate`` table): code point -> ASCII character.
WIDTH_FOLD: dict[int, str] = _width_table()
_WIDTH_CLASS = "[" + "".join(re.escape(chr(c)) for c in sorted(WIDTH_FOLD)) + "]"
_WIDTH_CHAR = re.compile(_WIDTH_CLASS)  # the pre-check: a single class is searched twice as fast as a run
#: A run of characters that fold 1 changes: a full-width value (０１０－１２３４) is one run.
_WIDTH_RUN = re.compile(_WIDTH_CLASS + "+")


def _width_run(m: re.Match) -> str:
    return m.group().translate(WIDTH_FOLD)


# ----------------------------------------------------------------------------- fold 2: Hangul numerals

#: Sino-Korean digit syllables: 공/영 0, 일 1, 이 2, 삼 3, 사 4, 오 5, 육 6, 칠 7, 팔 8, 구 9.
HANGUL_DIGITS: dict[str, str] = {
    "공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "칠": "7", "팔": "8", "구": "9",
}
_HD = "".join(HANGUL_DIGITS)
_NUMERAL_TABLE = {ord(k): v for k, v in HANGUL_DIGITS.items()}
#: A run that reads as a phone number: a leading zero (0, 공 or 영) and 6+ more digits (ASCII or
#: Hangul), at most one separator between two.
NUMERAL_RUN = re.compile(rf"[0공영](?:[ .\-]?[0-9{_HD}]){{6,}}")
#: Three Hangul numerals in a row (separators allowed): a run needs them to be folded.
_THREE_NUMERALS = re.compile(rf"[{_HD}][ .\-]?[{_HD}][ .\-]?[{_HD}]")

_COPULA_NEXT = frozenset("에고며라야나다면지죠네요여랑와었")

# ----------------------------------------------------------------------------- fold 3: spelled forms

_AN = "[A-Za-z0-9]"
#: Mail portals written in Hangul right after a spelled ``@`` (hong 골뱅이 네이버 닷컴).
PORTAL_WORDS: dict[str, str] = {
    "네이버": "naver", "다음": "daum", "한메일": "hanmail", "지메일": "gmail", "네이트": "nate",
    "카카오": "kakao", "핫메일": "hotmail", "야후": "yahoo",
}
_PORTALS = "|".join(PORTAL_WORDS)
# After an ASCII letter/digit or a portal word (each lookbehind has a fixed width).
_AFTER = "(?:" + "|".join(f"(?<={w})" for w in [_AN, *PORTAL_WORDS]) + ")"
# " at " is an English word too: it spells "@" only before something shaped like a domain.
_DOMAIN_AHEAD = rf"(?:[A-Za-z0-9\-]{{1,63}}(?:\.|[ ](?:dot|DOT)[ ]|[ ]?[(\[](?:dot|DOT)[)\]]|[ ]?(?:닷|쩜|점))|{_PORTALS})"
#: Spelled forms of ``@`` and ``.`` (and ``.com``...) between ASCII letters or digits; invisible characters.
SPELLED = re.compile(
    rf"(?P<at>(?<={_AN})(?:[ ]?골뱅이[ ]?|[ ]?[(\[{{][ ]?(?:at|AT|At|골뱅이)[ ]?[)\]}}][ ]?|[ ](?:at|AT)[ ](?={_DOMAIN_AHEAD})|[ ]@[ ]?|@[ ])(?={_AN}|{_PORTALS}))"
    rf"|(?P<tld>{_AFTER}[ ]?(?:닷|쩜|점)(?:컴|넷|케이알|오알지))"
    rf"|(?P<dot>{_AFTER}(?:[ ]?[(\[{{][ ]?(?:dot|DOT|Dot|닷|점)[ ]?[)\]}}][ ]?|[ ](?:dot|DOT)[ ]|[ ]?(?:닷|쩜)[ ]?)(?=[A-Za-z]))"
    r"|(?P<drop>[\u00ad\u200b\u200c\u200d\u2060\ufeff]+)"
)
_TLD_WORDS = {"컴": ".com", "넷": ".net", "케이알": ".kr", "오알지": ".org"}
#: Cheap pre-check: a text without one of these has no fold-3 form (each needs an ASCII letter or digit before).
_SPELLED_HINT = re.compile(
    "[A-Za-z0-9](?:[ ]?(?:골뱅이|닷|쩜|점[컴넷케오]|[(\\[{])|[ ]@|@[ ]|[ ](?:at|AT|dot|DOT)[ ])|[\u00ad\u200b\u200c\u200d\u2060\ufeff]"
)


#: Cheap pre-check for fold 3: a piece of a spelled "@" or dot, or an invisible character.
#: The same alternation as ``@(?<=[ ]@)|@(?=[ ])|골뱅이|닷|쩜|점[컴넷케오]|(?:at|AT|At|dot|DOT|Dot)[ )\\]}]|<invisible>``,
#: written to start with one character class: Python's regex engine then skips to the next
#: character of that class instead of trying every branch at every position (about 4x faster).
_FIRST = "[@골닷쩜점aAdD\u00ad\u200b\u200c\u200d\u2060\ufeff]"
_MAY_SPELL = re.compile(
    rf"{_FIRST}(?:(?<=[ ]@)|(?<=@)(?=[ ])|(?<=골)뱅이|(?<=[닷쩜])|(?<=점)[컴넷케오]|(?<=[aA])[tT](?<=at|AT|At)[ )\]}}]"
    rf"|(?<=[dD])[oO][tT](?<=dot|DOT|Dot)[ )\]}}]|(?<=[\u00ad\u200b\u200c\u200d\u2060\ufeff]))"
)


class FoldedText(NamedTuple):
    """A folded view (``text``) of ``original``, with the offset map.

    ``starts[i]``/``ends[i]``: the original span of the unit that view character ``i``
    belongs to; both None when the view has the original's offsets (no length change).
    ``numerals``: sorted, disjoint view spans whose digits were Hangul numerals.
    """

    text: str
    original: str
    starts: list[int] | None
    ends: list[int] | None
    numerals: tuple[tuple[int, int], ...]

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original span of the view span ``[a, b)`` (``a < b``): the units it touches, whole."""
        if self.starts is None:
            return a, b
        return self.starts[a], self.ends[b - 1]

    def source(self, a: int, b: int) -> str:
        """The original characters under view span ``[a, b)``."""
        s, e = self.span(a, b)
        return self.original[s:e]

    def has_numerals(self, a: int, b: int) -> bool:
        """True when view span ``[a, b)`` holds a digit that was written as a Hangul numeral."""
        for s, e in self.numerals:
            if s < b and a < e:
                return True
        return False


def fold(text: str) -> FoldedText:
    """The folded view of ``text`` (see module docstring); ``text`` itself is unchanged."""
    # Only the runs are translated: str.translate with a dict costs a lookup per character of the text.
    view = _WIDTH_RUN.sub(_width_run, text) if _WIDTH_CHAR.search(text) else text
    numerals: list[tuple[int, int]] = []
    if _THREE_NUMERALS.search(view):
        view, numerals = _fold_numerals(view)
    if not _MAY_SPELL.search(view) or not _SPELLED_HINT.search(view):
        return FoldedText(view, text, None, None, tuple(numerals))
    pieces = _spelled_pieces(view)
    if not pieces:
        return FoldedText(view, text, None, None, tuple(numerals))
    return _rebuild(view, text, pieces, numerals)


def _fold_numerals(view: str) -> tuple[str, list[tuple[int, int]]]:
    """Hangul numerals inside number-like runs to digits (same length); the runs' spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in NUMERAL_RUN.finditer(view):
        a, b = m.span()
        run = m.group()
        # A trailing 이 glued to a copula or particle is not a digit (팔이에요, 팔이고); 이로 is (2 + 로).
        if b < len(view) and run[-1] == "이" and view[b] in _COPULA_NEXT:
            run = run[:-1].rstrip(" .-")
            b = a + len(run)
        if not _THREE_NUMERALS.search(run) or sum(1 for c in run if c.isdigit() or c in HANGUL_DIGITS) < 7:
            continue
        out.append(view[pos:a])
        out.append(run.translate(_NUMERAL_TABLE))
        spans.append((a, b))
        pos = b
    if not spans:
        return view, spans
    out.append(view[pos:])
    return "".join(out), spans


def _spelled_pieces(view: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every fold-3 form in ``view``, in order, disjoint.

    Only positions the hint finds are tried (each form follows an ASCII letter or digit),
    and the end of a portal word (hong 골뱅이 네이버| 닷컴).
    """
    pieces: list[tuple[int, int, str]] = []
    starts = [h.start() + (1 if h.group()[0].isascii() else 0) for h in _SPELLED_HINT.finditer(view)]
    i = 0
    while i < len(starts):
        pos = starts[i]
        i += 1
        if pieces and pos < pieces[-1][1]:
            continue
        m = SPELLED.match(view, pos)
        if m is None:
            continue
        kind = m.lastgroup
        a, b = m.span()
        if kind == "at":
            pieces.append((a, b, "@"))
            for word, ascii_name in PORTAL_WORDS.items():
                if view.startswith(word, b):
                    pieces.append((b, b + len(word), ascii_name))
                    starts.insert(i, b + len(word))  # its dot or TLD word follows
                    break
        elif kind == "tld":
            word = m.group().lstrip(" ")[1:]
            pieces.append((a, b, _TLD_WORDS[word]))
        elif kind == "dot":
            pieces.append((a, b, "."))
        else:
            pieces.append((a, b, ""))
        if b > pos and b < len(view):
            starts.insert(i, b)  # forms can follow each other (a @ form, then a domain's dot)
    return pieces


def _rebuild(view: str, original: str, pieces: list[tuple[int, int, str]], numerals: list[tuple[int, int]]) -> FoldedText:
    """Apply length-changing ``pieces`` to ``view`` and build the unit map."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    lead = None  # start of dropped characters before the first unit
    pos = 0

    def drop(a: int, b: int) -> None:
        nonlocal lead
        if not ends:
            lead = a if lead is None else lead
            return
        last = starts[-1]
        i = len(ends) - 1
        while i >= 0 and starts[i] == last:  # the whole previous unit grows (".com" is one unit)
            ends[i] = b
            i -= 1

    for a, b, rep in pieces:
        if a > pos:
            out.append(view[pos:a])
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        if rep:
            out.append(rep)
            starts.extend([a] * len(rep))
            ends.extend([b] * len(rep))
        else:
            drop(a, b)
        pos = b
    if pos < len(view):
        out.append(view[pos:])
        starts.extend(range(pos, len(view)))
        ends.extend(range(pos + 1, len(view) + 1))
    if lead is not None and starts:
        first = starts[0]
        i = 0
        while i < len(starts) and starts[i] == first:
            starts[i] = lead
            i += 1
    folded = "".join(out)
    return FoldedText(folded, original, starts, ends, tuple(_shift_spans(numerals, starts)))


def _shift_spans(numerals: list[tuple[int, int]], starts: list[int]) -> list[tuple[int, int]]:
    """Numeral-run spans (offsets before fold 3) in view offsets after fold 3."""
    out = []
    for a, b in numerals:
        i = bisect_right(starts, a - 1)
        j = bisect_right(starts, b - 1)
        if i < j:
            out.append((i, j))
    return out

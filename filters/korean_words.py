"""Korean word tokenizer for datatrove's filters, on kiwipiepy >= 0.24 (``cong`` model).

Datatrove's own ``KiwiTokenizer`` asks for the ``sbg`` model that kiwipiepy
0.22+ no longer ships; :class:`KiwiWordTokenizer` replaces it and is passed to
datatrove filters as their ``language`` (``load_word_tokenizer`` accepts a
``WordTokenizer`` instance).

Invariants:
- Every word is a slice ``text[start:end]`` of the string given, using Kiwi's
  character offsets. Text is never rebuilt from morpheme forms and never
  normalized (no NFD: Hangul syllables are never split into jamo here).
- Words follow datatrove's ``KiwiTokenizer`` so FineWeb-2's thresholds mean the
  same thing: one word per Kiwi morpheme, stripped, empty ones dropped.
  Contracted morphemes share a span (``했다`` -> 하/VV + 었/EP both slice
  ``했``), so that span appears once per morpheme, as in FineWeb-2.
- Kiwi costs roughly 40-80k characters per second per core: callers should
  only ask for words when a rule needs them.

The Kiwi instance is loaded once per process through :func:`cached_model`;
the tokenizer object itself holds no Kiwi handle, so it pickles cheaply to
Spark workers.
"""

from __future__ import annotations

from datatrove.utils.word_tokenizers import WordTokenizer

from kocorpus.filters.base import cached_model

DEFAULT_KIWI_MODEL = "cong"


def _load_kiwi(model_type: str):
    try:
        from kiwipiepy import Kiwi
    except ImportError as e:  # pragma: no cover - kiwipiepy is a core dependency
        raise ImportError("the Korean word tokenizer needs kiwipiepy>=0.24 (pip install kiwipiepy)") from e
    kiwi = Kiwi(model_type=model_type)
    kiwi.tokenize("워밍업")  # the first call loads lazy tables (~1.5 s); pay it at load time
    return kiwi


def kiwi(model_type: str = DEFAULT_KIWI_MODEL):
    """The process-wide ``Kiwi`` instance for ``model_type``."""
    return cached_model(("kiwi", model_type), lambda: _load_kiwi(model_type))


class KiwiWordTokenizer(WordTokenizer):
    """datatrove ``WordTokenizer`` backed by Kiwi; words and sentences slice the original text.

    Two instances with the same ``model_type`` are equal and hash alike, so
    datatrove's word cache (``split_into_words``) is shared between filters.
    """

    def __init__(self, model_type: str = DEFAULT_KIWI_MODEL):
        super().__init__("ko")
        self.model_type = model_type
        self._last: tuple[str, list[str]] | None = None  # one-entry cache: filters of one doc share a Kiwi call

    def __getstate__(self):
        return {"model_type": self.model_type}

    def __setstate__(self, state):
        self.__init__(state["model_type"])

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.model_type == self.model_type

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.model_type))

    def __repr__(self) -> str:
        return f"KiwiWordTokenizer(model_type={self.model_type!r})"

    @property
    def kiwi(self):
        return kiwi(self.model_type)

    def word_spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` character offsets of each Kiwi morpheme in ``text``, in order."""
        if not text:
            return []
        return [(t.start, t.start + t.len) for t in self.kiwi.tokenize(text)]

    def word_tokenize(self, text: str) -> list[str]:
        """Words of ``text`` (a fresh list; the last text's words are cached)."""
        last = self._last
        if last is not None and (last[0] is text or last[0] == text):
            return list(last[1])
        words = []
        for start, end in self.word_spans(text):
            w = text[start:end].strip()
            if w:
                words.append(w)
        self._last = (text, words)
        return list(words)

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans ``(start, end)`` in ``text``."""
        if not text:
            return []
        return [(s.start, s.end) for s in self.kiwi.split_into_sents(text)]

    def sent_tokenize(self, text: str) -> list[str]:
        sents = []
        for start, end in self.span_tokenize(text):
            s = text[start:end].strip()
            if s:
                sents.append(s)
        return sents


_SHARED: dict[str, KiwiWordTokenizer] = {}


def korean_word_tokenizer(model_type: str = DEFAULT_KIWI_MODEL) -> KiwiWordTokenizer:
    """A shared :class:`KiwiWordTokenizer` (pass it as ``language=`` to datatrove filters)."""
    tok = _SHARED.get(model_type)
    if tok is None:
        tok = _SHARED.setdefault(model_type, KiwiWordTokenizer(model_type))
    return tok

"""The quality step: FineWeb-2's Korean profile plus Korean-specific rules, every drop explained.

Order of work for one document (cheapest first; Kiwi is paid only by
documents that reach a rule needing words):

1. boilerplate lines are removed (:class:`BoilerplateLineRemover`); the
   document's ``text`` becomes the cleaned text;
2. Korean character rules: ``min_chars``, ``min_words`` (eojeol),
   ``hangul_ratio``, ``jamo_noise``, ``spam_keywords``;
3. FineWeb-2's rules that need no words (line punctuation, duplicated lines
   and characters, bullets, ellipsis lines);
4. FineWeb-2's rules that need words (n-gram repetition, newline ratio,
   word counts and lengths, alphabetic words, stop words), on Kiwi words;
5. the optional fastText quality classifier (off unless ``classifier_path``).

A reject's reason is the rule's code (the threshold's config key, e.g.
``line_punct_thr``, ``dup_5_gram``, ``hangul_ratio``) and its value reads
``<measured><op><threshold>`` (``0.031<0.062``): the measured value and the
comparison that failed. A document failing several rules is reported under
the first in the order above. Measured values go to ``quality_signals``.

Two engines decide the FineWeb-2 rules, with identical keep/drop decisions
(tested): ``signals`` (default) evaluates the rules from this module's
measurements in cost order; ``datatrove`` runs datatrove's own
``GopherRepetitionFilter``, ``FineWebQualityFilter`` and ``GopherQualityFilter``
in FineWeb-2's order and reports datatrove's first reason, with the value
from the same measurements.

Two rules take counting options (``COUNTING_DEFAULTS``: what ends a line, which
words count as alphabetic); with FineWeb-2's counting (every profile but
``korean``) the engines run datatrove's measurement. Where a profile changes
the counting, the ``datatrove`` engine switches those rules off in datatrove's
classes and decides them from this module's measurement after the classes
pass, so the engines still agree.

Thresholds are constructor arguments; a profile (``default`` = FineWeb-2
``kor_Hang``, ``strict``, ``lenient``, ``korean`` = calibrated on Korean text
with Korean counting) supplies them and config overrides any. ``None``
(``false`` in TOML) switches a rule off.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, Reject, StepResult, set_column, set_text
from kocorpus.filters.boilerplate import BoilerplateLineRemover
from kocorpus.filters.fineweb2_rules import (
    KOR_HANG,
    datatrove_filters,
    line_signals,
    reason_from_datatrove,
    word_signals,
)
from kocorpus.filters.korean_script import eojeol_count, hangul_ratio, jamo_noise_ratio, non_space_chars
from kocorpus.filters.korean_words import DEFAULT_KIWI_MODEL, korean_word_tokenizer
from kocorpus.filters.spam_keywords import SpamKeywordDensity

#: Korean-specific rules of the default profile (not part of FineWeb-2).
KOREAN_DEFAULTS: dict[str, Any] = {
    "remove_boilerplate": True,
    "boilerplate_max_line_chars": 60,  # characters, stripped line; longer lines are prose
    "min_chars": 50,  # non-whitespace characters
    "min_words": 10,  # eojeol (whitespace tokens with a letter or digit)
    "min_hangul_ratio": 0.5,  # Hangul letters / all letters
    "max_jamo_noise_ratio": 0.1,  # stand-alone jamo / non-whitespace characters
    "max_spam_ratio": 0.02,  # keyword characters / non-whitespace characters
    "min_spam_hits": 3,  # keyword matches needed before the density counts
}

#: What the line-punctuation and alphabetic-word measurements count (fineweb2_rules): FineWeb-2's
#: choice by default; the ``korean`` profile changes it.
COUNTING_DEFAULTS: dict[str, Any] = {
    "line_punct_closers": False,  # True: 다." and 다.) end a sentence (closing quotes/brackets stripped first)
    "line_punct_endings": (),  # line-final strings that also end a sentence, e.g. ("다", "요")
    "alpha_words_skip_symbols": False,  # True: punctuation/symbol-only words leave the alphabetic-word share
    "alpha_words_count_numbers": False,  # True: numbers (2021, 97,524, 3.5) count as alphabetic words
}

#: Threshold sets by profile name. ``default`` is FineWeb-2's kor_Hang plus KOREAN_DEFAULTS.
PROFILES: dict[str, dict[str, Any]] = {
    "default": {**KOR_HANG, **COUNTING_DEFAULTS, **KOREAN_DEFAULTS},
    # For a smaller, cleaner corpus: more punctuation, less repetition, more Hangul, longer documents.
    "strict": {
        **KOR_HANG,
        **COUNTING_DEFAULTS,
        **KOREAN_DEFAULTS,
        "line_punct_thr": 0.12,
        "char_duplicates_ratio": 0.05,
        "dup_line_frac": 0.3,
        "min_doc_words": 100,
        "min_stop_words": 3,
        "min_chars": 200,
        "min_words": 40,
        "min_hangul_ratio": 0.7,
        "max_jamo_noise_ratio": 0.03,
        "max_spam_ratio": 0.01,
        "min_spam_hits": 2,
    },
    # For short user text (reviews, comments, Q&A): duplicated n-grams and lines still drop,
    # the length, punctuation, newline and top-n-gram rules that short texts fail by
    # construction go (datatrove's top-n-gram share counts the most frequent n-gram even when
    # it occurs once, so a 30-character text fails it whatever it says).
    "lenient": {
        **KOR_HANG,
        **COUNTING_DEFAULTS,
        **KOREAN_DEFAULTS,
        "top_n_grams": (),
        "line_punct_thr": None,
        "new_line_ratio": None,
        "char_duplicates_ratio": 0.2,
        "dup_line_frac": 0.5,
        "min_doc_words": 3,
        "min_stop_words": 1,
        "min_chars": 10,
        "min_words": 2,
        "min_hangul_ratio": 0.3,
        "max_jamo_noise_ratio": 0.3,
    },
}

# For Korean web text: FineWeb-2's rules with Korean counting (a line ending in 다/요/까/죠, or in
# punctuation followed by closing quotes, brackets or footnote marks, ends a sentence; numbers are
# words), calibrated on clean Korean text by bench/quality_calibrate.py (docs/quality.md, "The
# korean profile"). The two re-counted thresholds are the lowest value of the clean calibration
# documents (tail 0%: Wikinews articles and runs of UD sentences); every other rule keeps
# FineWeb-2's value, which already keeps 99% of the calibration documents as a whole.
PROFILES["korean"] = {
    **PROFILES["default"],
    "line_punct_closers": True,
    "line_punct_endings": ("다", "요", "까", "죠"),
    "alpha_words_count_numbers": True,
    "line_punct_thr": 0.5,  # clean tail 0% under this counting (FineWeb-2: 0.062, its own counting)
    "max_non_alpha_words_ratio": 0.662,  # clean tail 0% under this counting (FineWeb-2: 0.791)
}

THRESHOLD_KEYS = frozenset(PROFILES["default"])
_BOOL_KEYS = {
    "remove_boilerplate", "line_punct_exclude_zero", "line_punct_closers",
    "alpha_words_skip_symbols", "alpha_words_count_numbers",
}  # fmt: skip

# FineWeb-2 rules: (reason code, signal key, failing comparison, threshold key), by cost group,
# each group in datatrove's order. n-gram rules are expanded from top_n_grams / dup_n_grams.
_LINE_RULES = [
    ("dup_para_frac", "dup_para_frac", ">", "dup_para_frac"),
    ("dup_para_char_frac", "dup_para_char_frac", ">", "dup_para_char_frac"),
    ("dup_line_frac", "dup_line_frac", ">", "dup_line_frac"),
    ("dup_line_char_frac", "dup_line_char_frac", ">", "dup_line_char_frac"),
    ("line_punct_thr", "line_punct_ratio", "<", "line_punct_thr"),
    ("short_line_thr", "short_line_ratio", ">", "short_line_thr"),
    ("char_duplicates_ratio", "char_dup_ratio", ">", "char_duplicates_ratio"),
    ("max_bullet_lines_ratio", "bullet_lines_ratio", ">", "max_bullet_lines_ratio"),
    ("max_ellipsis_lines_ratio", "ellipsis_lines_ratio", ">", "max_ellipsis_lines_ratio"),
]
_WORD_RULES_TAIL = [
    ("new_line_ratio", "new_line_ratio", ">", "new_line_ratio"),
    ("min_doc_words", "doc_words", "<", "min_doc_words"),
    ("max_doc_words", "doc_words", ">", "max_doc_words"),
    ("min_avg_word_length", "avg_word_length", "<", "min_avg_word_length"),
    ("max_avg_word_length", "avg_word_length", ">", "max_avg_word_length"),
    ("max_symbol_word_ratio", "hash_word_ratio", ">", "max_symbol_word_ratio"),
    ("max_symbol_word_ratio", "ellipsis_word_ratio", ">", "max_symbol_word_ratio"),
    ("max_non_alpha_words_ratio", "alpha_words_ratio", "<", "max_non_alpha_words_ratio"),
    ("min_stop_words", "stop_words", "<", "min_stop_words"),
]
# Rules that datatrove switches off with a falsy threshold (``if self.x and ...``).
_FALSY_OFF = {
    "dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac",
    "min_doc_words", "max_doc_words", "min_avg_word_length", "max_avg_word_length",
    "max_symbol_word_ratio", "max_bullet_lines_ratio", "max_ellipsis_lines_ratio",
    "max_non_alpha_words_ratio", "min_stop_words",
}  # fmt: skip


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def resolve_thresholds(profile: str = "default", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The thresholds of ``profile`` with ``overrides`` applied; unknown keys are an error."""
    if profile not in PROFILES:
        raise ValueError(f"[quality] profile: unknown {profile!r}; known: {sorted(PROFILES)}")
    overrides = dict(overrides or {})
    unknown = set(overrides) - THRESHOLD_KEYS
    if unknown:
        raise ValueError(f"[quality]: unknown threshold(s) {sorted(unknown)}; known: {sorted(THRESHOLD_KEYS)}")
    t = {**PROFILES[profile], **overrides}
    for key, value in overrides.items():  # TOML has no null: `false` switches a numeric rule off
        if value is False and key not in _BOOL_KEYS:
            t[key] = None
    for key in ("top_n_grams", "dup_n_grams"):  # TOML gives lists of [n, frac] or a {n: frac} table
        v = t[key]
        if isinstance(v, dict):
            v = [(int(n), float(f)) for n, f in v.items()]
        t[key] = tuple((int(n), float(f)) for n, f in (v or ()))
    t["stop_words"] = tuple(t["stop_words"])
    t["line_punct_endings"] = tuple(t["line_punct_endings"] or ())
    return t


class QualityFilter(DocumentStep):
    """Judge each document against a quality profile; reject with the rule's code and measured value.

    Args:
        profile: ``default`` (FineWeb-2 kor_Hang + Korean rules), ``strict``, ``lenient`` or
            ``korean`` (calibrated on Korean text, Korean counting).
        thresholds: overrides of the profile's thresholds (keys of ``PROFILES["default"]``).
        word_rules: evaluate the rules that need Kiwi words; ``False`` skips them (cheap mode).
        engine: ``signals`` or ``datatrove`` (see module docstring).
        kiwi_model: Kiwi model type for the word tokenizer.
        classifier_path: fastText quality model (``kocorpus train-quality-classifier``); None = off.
        min_classifier_score: reject below this probability of high quality; None only records it.
        source_profiles: ``{source name: profile}`` for sources judged by another profile (e.g.
            ``lenient`` for a source of reviews); other sources use ``profile`` and ``thresholds``.
    """

    stage = "quality"

    def __init__(
        self,
        profile: str = "default",
        thresholds: dict[str, Any] | None = None,
        word_rules: bool = True,
        engine: str = "signals",
        kiwi_model: str = DEFAULT_KIWI_MODEL,
        classifier_path: str | None = None,
        min_classifier_score: float | None = None,
        source_profiles: dict[str, str] | None = None,
    ):
        if engine not in ("signals", "datatrove"):
            raise ValueError(f"[quality] engine: {engine!r}; use 'signals' or 'datatrove'")
        if engine == "datatrove" and not word_rules:
            raise ValueError("[quality] engine 'datatrove' always needs words; use word_rules = true")
        self.profile = profile
        self.thresholds = resolve_thresholds(profile, thresholds)
        self.word_rules = word_rules
        self.engine = engine
        self.kiwi_model = kiwi_model
        self.classifier_path = classifier_path
        self.min_classifier_score = min_classifier_score
        t = self.thresholds
        self._boilerplate = (
            BoilerplateLineRemover(max_line_chars=t["boilerplate_max_line_chars"]) if t["remove_boilerplate"] else None
        )
        self._spam = SpamKeywordDensity()
        self._word_rules = [
            (f"top_{n}_gram", f"top_{n}_gram_frac", ">", frac) for n, frac in t["top_n_grams"]
        ] + [(f"dup_{n}_gram", f"dup_{n}_gram_frac", ">", frac) for n, frac in t["dup_n_grams"]]
        self._word_rules += [(code, sig, op, t[key]) for code, sig, op, key in _WORD_RULES_TAIL]
        self._line_rules = [(code, sig, op, t[key]) for code, sig, op, key in _LINE_RULES]
        self._datatrove = None
        self.source_profiles = dict(source_profiles or {})
        self._by_source = {
            src: QualityFilter(profile=p, word_rules=word_rules, engine=engine, kiwi_model=kiwi_model)
            for src, p in self.source_profiles.items()
        }

    @classmethod
    def from_config(cls, section: dict) -> "QualityFilter":
        """From ``[quality]``: ``profile``, any threshold key, the options above.

        ``[quality.classifier]`` (training sources) is read by ``train-quality-classifier``, not here.
        """
        section = {k: v for k, v in section.items() if k != "classifier"}
        options = {k: section.pop(k) for k in list(section) if k in _OPTION_KEYS}
        return cls(thresholds=section, **options)

    def describe(self) -> dict[str, Any]:
        """Profile, every threshold in force, engine and classifier (recorded in the run report)."""
        return {
            "profile": self.profile,
            "engine": self.engine,
            "word_rules": self.word_rules,
            "kiwi_model": self.kiwi_model,
            "classifier_path": self.classifier_path,
            "min_classifier_score": self.min_classifier_score,
            "source_profiles": self.source_profiles,
            "thresholds": {
                k: ([list(p) for p in v] if k in ("top_n_grams", "dup_n_grams") else list(v) if isinstance(v, tuple) else v)
                for k, v in sorted(self.thresholds.items())
            },
        }

    # ------------------------------------------------------------------ one document

    def judge(self, text: str) -> tuple[str, Reject | None, dict[str, float]]:
        """``(cleaned text, verdict, signals)`` for one document's text: the first failing rule decides."""
        cleaned, signals = self._clean(text)
        if self.engine == "datatrove":
            failures = self._failures(cleaned, signals, fineweb=False)
            verdict = next(failures, None)
            if verdict is None and cleaned.strip():
                verdict = self._datatrove_verdict(cleaned, signals)
            return cleaned, verdict, signals
        return cleaned, next(self._failures(cleaned, signals), None), signals

    def explain(self, text: str) -> tuple[list[Reject], dict[str, float]]:
        """Every rule ``text`` fails (not only the first) and all measured signals."""
        cleaned, signals = self._clean(text)
        return list(self._failures(cleaned, signals)), signals

    def _clean(self, text: str) -> tuple[str, dict[str, float]]:
        signals: dict[str, float] = {}
        if self._boilerplate is not None:
            cleaned = self._boilerplate.clean(text)
            text = cleaned.text
            signals["boilerplate_lines_removed"] = float(cleaned.lines_removed)
        return text, signals

    def _failures(self, text: str, signals: dict[str, float], fineweb: bool = True):
        """Failing rules in cost order, as ``Reject``s (a lazy generator); measures into ``signals``.

        A rule's signals are measured only when the generator reaches it, so a
        caller that stops at the first failure never pays Kiwi for a document a
        cheap rule rejected. ``fineweb=False`` stops after the Korean rules.
        """
        t = self.thresholds
        if not text.strip():
            yield Reject("empty_text", "all lines were boilerplate" if signals.get("boilerplate_lines_removed") else "no text")
            return
        chars = non_space_chars(text)
        words = eojeol_count(text)
        signals["chars"] = float(chars)
        signals["eojeol"] = float(words)
        if t["min_chars"] is not None and chars < t["min_chars"]:
            yield Reject("min_chars", f"{chars}<{t['min_chars']}")
        if t["min_words"] is not None and words < t["min_words"]:
            yield Reject("min_words", f"{words}<{t['min_words']}")
        ratio = signals["hangul_ratio"] = hangul_ratio(text)
        if t["min_hangul_ratio"] is not None and ratio < t["min_hangul_ratio"]:
            yield Reject("hangul_ratio", f"{_fmt(ratio)}<{t['min_hangul_ratio']}")
        jamo = signals["jamo_noise_ratio"] = jamo_noise_ratio(text)
        if t["max_jamo_noise_ratio"] is not None and jamo > t["max_jamo_noise_ratio"]:
            yield Reject("jamo_noise", f"{_fmt(jamo)}>{t['max_jamo_noise_ratio']}")
        spam = self._spam.measure(text)
        signals["spam_ratio"] = spam.ratio
        signals["spam_hits"] = float(spam.hits)
        if t["max_spam_ratio"] is not None and spam.hits >= (t["min_spam_hits"] or 0) and spam.ratio > t["max_spam_ratio"]:
            yield Reject("spam_keywords", f"{_fmt(spam.ratio)}>{t['max_spam_ratio']} ({spam.hits} hits)")
        signals.update(
            line_signals(
                text,
                short_line_length=t["short_line_length"],
                punct_closers=t["line_punct_closers"],
                punct_endings=t["line_punct_endings"],
            )
        )
        if not fineweb:
            return
        yield from self._evaluate(self._line_rules, signals)
        if self.word_rules:
            signals.update(self._word_signals(text))
            yield from self._evaluate(self._word_rules, signals)

    def _word_signals(self, text: str) -> dict[str, float]:
        t = self.thresholds
        words = korean_word_tokenizer(self.kiwi_model).word_tokenize(text)
        if not words:
            return {"words": 0.0}
        return word_signals(
            text,
            words,
            top_n=[n for n, _ in t["top_n_grams"]],
            dup_n=[n for n, _ in t["dup_n_grams"]],
            stop_words=t["stop_words"],
            alpha_skip_symbols=t["alpha_words_skip_symbols"],
            alpha_count_numbers=t["alpha_words_count_numbers"],
        )

    def _evaluate(self, rules, signals: dict[str, float]):
        """Failing rules of ``rules`` against measured ``signals``, in order."""
        t = self.thresholds
        if signals.get("words") == 0.0:  # no word at all: datatrove divides by zero; call it empty
            yield Reject("empty_text", "no words")
            return
        for code, key, op, thr in rules:
            if thr is None or (not thr and code in _FALSY_OFF) or key not in signals:
                continue
            v = signals[key]
            if op == "<":
                if v < thr and not (code == "line_punct_thr" and v == 0 and t["line_punct_exclude_zero"]):
                    yield Reject(code, f"{_fmt(v)}<{thr}")
            elif v > thr:
                yield Reject(code, f"{_fmt(v)}>{thr}")

    def _datatrove_verdict(self, text: str, signals: dict[str, float]) -> Reject | None:
        from datatrove.data import Document

        if self._datatrove is None:
            tok = korean_word_tokenizer(self.kiwi_model)
            off = {key: None for key in self._own_measure_rules()}
            f = datatrove_filters({**self.thresholds, **off}, tok)
            self._datatrove = [f["gopher_repetition"], f["fineweb_quality"], f["gopher_quality"]]
        doc = Document(text=text, id="")
        for flt in self._datatrove:
            out = flt.filter(doc)
            if out is True or (isinstance(out, tuple) and out[0]):
                continue
            reason = reason_from_datatrove(out[1] if isinstance(out, tuple) else "rejected")
            signals.update(self._word_signals(text))
            rules = {code: (key, op, thr) for code, key, op, thr in self._line_rules + self._word_rules}
            if reason == "max_symbol_word_ratio":
                key = "hash_word_ratio" if out[1] == "gopher_too_many_hashes" else "ellipsis_word_ratio"
                rules[reason] = (key, ">", self.thresholds["max_symbol_word_ratio"])
            if reason in rules and rules[reason][0] in signals:
                key, op, thr = rules[reason]
                return Reject(reason, f"{_fmt(signals[key])}{op}{thr}")
            return Reject(reason, None)
        signals.update(self._word_signals(text))
        own = self._own_measure_rules()
        if own:  # rules datatrove's classes cannot measure this profile's way: from the same signals
            rules = [r for r in self._line_rules + self._word_rules if r[0] in own]
            return next(self._evaluate(rules, signals), None)
        return None

    def _own_measure_rules(self) -> set[str]:
        """Rules whose measurement differs from datatrove's under this profile's counting options."""
        t = self.thresholds
        own = set()
        if t["line_punct_closers"] or t["line_punct_endings"]:
            own.add("line_punct_thr")
        if t["alpha_words_skip_symbols"] or t["alpha_words_count_numbers"]:
            own.add("max_non_alpha_words_ratio")
        return own

    # ------------------------------------------------------------------ batches

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        texts = batch.column("text").to_pylist()
        sources = batch.column("source").to_pylist() if self._by_source else [None] * len(texts)
        out_texts: list[str | None] = []
        verdicts: list[Reject | None] = []
        signal_maps: list[list[tuple[str, float]]] = []
        for text, source in zip(texts, sources):
            if text is None:
                out_texts.append(None)
                verdicts.append(Reject("empty_text", "no text"))
                signal_maps.append([])
                continue
            cleaned, verdict, signals = self._by_source.get(source, self).judge(text)
            out_texts.append(cleaned)
            verdicts.append(verdict)
            signal_maps.append(sorted(signals.items()))
        scores: list[float | None] = [None] * len(texts)
        if self.classifier_path:
            kept = [i for i, v in enumerate(verdicts) if v is None]
            if kept:
                from kocorpus.filters.quality_classifier import QualityClassifier

                probs = QualityClassifier.load(self.classifier_path).score([out_texts[i] or "" for i in kept])
                for i, p in zip(kept, probs):
                    scores[i] = float(p)
                    signal_maps[i].append(("classifier_score", float(p)))
                    if self.min_classifier_score is not None and p < self.min_classifier_score:
                        verdicts[i] = Reject("classifier_score", f"{_fmt(p)}<{self.min_classifier_score}")
        if any(a is not b for a, b in zip(texts, out_texts)):
            batch = set_text(batch, out_texts)
        batch = set_column(batch, "quality_signals", pa.array(signal_maps, type=pa.map_(pa.string(), pa.float64())))
        batch = set_column(batch, "quality_score", pa.array(scores, type=pa.float32()))
        return StepResult(batch, verdicts)


_OPTION_KEYS = {
    "profile", "word_rules", "engine", "kiwi_model", "classifier_path", "min_classifier_score", "source_profiles",
}  # fmt: skip


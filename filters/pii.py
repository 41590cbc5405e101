"""Korean PII detection and redaction: the ``pii`` document step.

Each detection is replaced by its typed placeholder from
:data:`kocorpus.filters.placeholders.PLACEHOLDERS` (``<|rrn|>``, ``<|tel|>``...),
which the tokenizer keeps as one token. Per type the configuration chooses:

- ``redact``: replace the value by its placeholder (default for every type but ``brn``);
- ``keep``:   leave the value in the text (default for ``brn``: business numbers
  identify companies, not people), but still count it;
- ``drop``:   replace the value and reject the document (reason ``pii_<type>``,
  value = number of detections of that type).

``pii_counts`` on each document holds detections by type, whatever the action
(a ``keep`` type is counted too); types without detections are absent, and a
document without any detection gets an empty map.

Decision rules (see docs/pii.md for the reasoning):

- Labels: a word within ``context_chars`` characters, with no other number in
  between, labels a candidate. Before it the nearest label wins: an own context
  word (주민번호, 계좌, 여권...) or an "other number" label (주문번호, 송장,
  바코드, ISBN...), which clears the candidate for RRN/FRN, card, account, BRN,
  passport and licence numbers.
- RRN/FRN: a valid birth date for the S digit's century is required; then the
  number is redacted, with or without a hyphen. A failed check digit never
  clears it (numbers issued since October 2020 have none); only an "other
  number" label does. S = 9/0 (born in the 1800s) also needs the check digit or
  a context word.
- phone: domestic prefixes (mobile, 02, 031-064, 070, 0502-0508) and +82 forms;
  business 15xx/16xx/18xx, 080 and 060 numbers are not personal and kept.
- card: 13-19 digits, Luhn, a card scheme's prefix and length.
- account and passport: only with an own context word. BRN: check digit, and a
  context word or the NNN-NN-NNNNN form. Licence: region code, and a context
  word or the hyphenated form.
- ip: public addresses only (v4 and v6).
- address (kocorpus.filters.pii_address): the building or lot number and the detail below it,
  after a 시/군/구 or 시/도, or with an address label; the region and road name stay.
- name (kocorpus.filters.pii_names): a personal name after a contact label, or right beside a
  phone, account, address or e-mail value; a press or public title keeps the name.

Detection runs on the folded view of the text (kocorpus.filters.pii_fold: full-width forms,
other dashes and dots, Hangul numerals, spelled "@" and dots read as ASCII); the spans found
there are mapped back, and the original characters are replaced. A value written in Hangul
numerals counts only as a phone, and only with a phone word nearby.

Where candidates overlap, the stronger wins (label and check digit > label or
check digit > distinctive format), then the longer, then rrn, frn, account, and
the type order of PLACEHOLDERS.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kocorpus.filters import pii_patterns as P
from kocorpus.filters.base import DocumentStep, Reject, StepResult, set_column, set_text
from kocorpus.filters.pii_address import AddressFinder
from kocorpus.filters.pii_fold import FoldedText, fold
from kocorpus.filters.pii_names import NameFinder
from kocorpus.filters.pii_screen import candidate_rows
from kocorpus.filters.pii_validators import (
    brn_ok,
    card_issuer_ok,
    driver_license_ok,
    ip_is_public,
    luhn_ok,
    registration_birth_date,
    registration_checksum_ok,
)
from kocorpus.filters.placeholders import PLACEHOLDERS

#: Every PII type, in tie-break order.
PII_TYPES: tuple[str, ...] = tuple(PLACEHOLDERS)
ACTIONS = ("redact", "keep", "drop")
DEFAULT_ACTIONS: dict[str, str] = {t: "redact" for t in PII_TYPES} | {"brn": "keep"}

#: Tie-break between equally strong overlapping candidates: a labelled account beats a bare card reading.
_PRIORITY = {t: i for i, t in enumerate(("rrn", "frn", "account") + tuple(t for t in PII_TYPES if t not in ("rrn", "frn", "account")))}
_NON_DIGIT = re.compile(r"[^0-9]")
#: A number as the finders see one: digit runs joined by at most 3 characters that are not
#: letters, digits or Hangul (900101 - 1234568, 02)123-4567, 1.2.3.4); a superset of every value.
_DIGIT_RUN = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9](?:[0-9]|[^0-9A-Za-z가-힣]{1,3}(?=[0-9]))*")
_MAILBOX_MARK = re.compile(r"[0-9._\-]")  # in a mailbox name, not in an English word
#: Types whose values make the word beside them a contact name.
NAME_ANCHORS = frozenset({"phone", "account", "address", "email"})

# Strength of a detection: what backs it (a label and a check digit > either > a format).
LABELLED, CHECKSUM, FORMAT = 4, 3, 2
# Who labels a candidate (see KoreanPiiRedactor._label).
NONE, OWN, OTHER = 0, 1, 2
_DIGITS3 = re.compile(r"[0-9]{3}")
_OTHER_LABEL_CHARS = 16  # an "other number" label (주문번호...) sits right before its number

_PII_COUNTS_TYPE = pa.map_(pa.string(), pa.int32())


class Detection(NamedTuple):
    """One PII value found in a text: ``text[start:end]`` is the value (character offsets)."""

    start: int
    end: int
    type: str
    strength: int
    left: int = -1  # where the words that belong to the value begin (an address's region), -1: at start


class KoreanPiiRedactor(DocumentStep):
    """Detect, validate and replace Korean PII by typed placeholders.

    Args:
        actions: PII type -> ``"redact"`` | ``"keep"`` | ``"drop"``; unnamed types
            take :data:`DEFAULT_ACTIONS`.
        context_chars: characters on each side of a candidate searched for context
            words; None disables context, so context-only types (account, passport,
            bare BRN and licence numbers) are never detected.
        today: reference date (ISO ``YYYY-MM-DD``) for "birth date not in the future";
            default: the current date.
    """

    stage = "pii"

    def __init__(
        self,
        actions: Mapping[str, str] | None = None,
        context_chars: int | None = 32,
        today: str | None = None,
    ):
        merged = dict(DEFAULT_ACTIONS)
        for t, a in (actions or {}).items():
            if t not in PLACEHOLDERS:
                raise ValueError(f"[pii] actions: unknown PII type {t!r}; known: {list(PII_TYPES)}")
            if a not in ACTIONS:
                raise ValueError(f"[pii] actions.{t}: must be one of {ACTIONS}, got {a!r}")
            merged[t] = a
        if context_chars is not None and context_chars < 0:
            raise ValueError("[pii] context_chars must be >= 0 or None")
        self.actions = merged
        self.context_chars = context_chars
        self.today = today
        import datetime as dt

        self._today = dt.date.fromisoformat(today) if today else None
        self._context = {t: P.words_regex(w) for t, w in P.CONTEXT_WORDS.items()}
        self._registration_ctx = P.words_regex(P.CONTEXT_WORDS["rrn"] + P.CONTEXT_WORDS["frn"])
        self._other_labels = P.words_regex(P.OTHER_NUMBER_LABELS)
        self._no_label = re.compile("(?!)")  # own label of a type that has none (only "other number" labels count)
        self._replaced = frozenset(t for t, a in merged.items() if a != "keep")
        self._dropped = tuple(t for t in PII_TYPES if merged[t] == "drop")
        # Every account needs one of these words in its text: an own label or a short bank name.
        self._account_words = P.words_regex(P.CONTEXT_WORDS["account"] + P.SHORT_BANKS)
        self._address_finder = AddressFinder()
        self._name_finder = NameFinder()
        # (finder, digits its value needs in one number, digits in a row it needs): a text whose
        # widest number (digits joined by at most 3 other characters, see _NUMBER) or longest
        # digit run is shorter skips the finder (a birth date is 6 digits in a row, a BRN's last
        # group 5, a licence's serial 6, an account of 10+ digits in 4 groups or fewer has a
        # group of 3; an IPv6 address may have no decimal digit). The order matters: accounts
        # look at the phones found before them.
        self._finders = (
            (self._registrations, 7, 6), (self._phones, 8, 0), (self._emails, 0, 0), (self._cards, 13, 4), (self._brns, 10, 5),
            (self._licences, 10, 6), (self._passports, 3, 3), (self._accounts, 10, 3), (self._ips, 0, 0), (self._addresses, 0, 0),
        )

    @classmethod
    def from_config(cls, section: dict) -> "KoreanPiiRedactor":
        """Build from the ``[pii]`` table: ``actions = {rrn = "redact", brn = "keep", ...}``, ``context_chars``."""
        section = dict(section)
        known = {"actions", "context_chars", "today"}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"[pii]: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**section)

    # ------------------------------------------------------------------ detection

    def _label(self, own: re.Pattern, text: str, start: int, end: int) -> int:
        """Which label owns the candidate ``text[start:end]``: OWN, OTHER or NONE.

        A word is a label of the candidate when it lies within ``context_chars``
        and no other number (3+ digits) sits between them. Before the candidate,
        the nearest label wins (an own context word, or an "other number" label
        such as 주문번호); after it, only an own context word counts.
        """
        if self.context_chars is None:
            return NONE
        best_end, best = -1, NONE
        for regex, kind, reach in ((own, OWN, self.context_chars), (self._other_labels, OTHER, _OTHER_LABEL_CHARS)):
            last = None
            for last in regex.finditer(text, max(0, start - reach), start):
                pass
            if last is not None and last.end() > best_end and not _DIGITS3.search(text, last.end(), start):
                best_end, best = last.end(), kind
        if best != NONE:
            return best
        n = len(text)
        for m in own.finditer(text, end, min(n, end + self.context_chars)):
            if _DIGITS3.search(text, end, m.start()):
                break
            if not _DIGITS3.search(text, m.end(), min(n, m.end() + 16)):  # not the label of the next number
                return OWN
        return NONE

    def detect(self, text: str) -> list[Detection]:
        """Every PII value in ``text``, non-overlapping, in text order (actions not applied).

        Detection runs on the folded view (:func:`kocorpus.filters.pii_fold.fold`); the
        offsets returned index ``text`` itself.
        """
        view = fold(text)
        v = view.text
        cands: list[Detection] = []
        widest, run = _number_shape(v)
        for find, digits_needed, run_needed in self._finders:
            if widest >= digits_needed and run >= run_needed:
                find(v, view, cands)
        if view.numerals:
            cands = [d for d in cands if self._numerals_ok(v, view, d)]
        found = _resolve(cands)
        names = self._names(v, found)
        if names:
            found = _resolve(found + names)
        return _map_back(found, view)

    def _numerals_ok(self, v: str, view: FoldedText, d: Detection) -> bool:
        """A value written in Hangul numerals (공일공...) counts only as a phone, and only with a phone word nearby."""
        if not view.has_numerals(d.start, d.end):
            return True
        return d.type == "phone" and self._label(self._context["phone"], v, d.start, d.end) == OWN

    # One finder per type: ``find(v, view, cands)`` appends candidates found in the folded text ``v``.

    def _registrations(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        add = cands.append
        label = self._label
        for m in P.REGISTRATION.finditer(v):
            birth, sep, s, tail = m.group("birth", "sep", "s", "tail")
            if registration_birth_date(birth + s, self._today) is None:
                continue
            typ = "frn" if s in "5678" else "rrn"
            a, b = m.span()
            lab = label(self._registration_ctx, v, a, b)
            if lab == OTHER:
                continue  # 주문번호 231015-1234567: the label says what it is
            if lab == NONE and label(self._context["account"], v, a, b) == OWN:
                continue  # 통장 4202250704606: an account number (found below)
            if tail[0] in "*xX":  # masked tail: birth date and sex are still shown
                if sep and sep.strip():
                    add(Detection(a, b, typ, FORMAT))
                continue
            if lab == OWN:
                add(Detection(a, b, typ, LABELLED))
            elif registration_checksum_ok(birth + s + tail):
                add(Detection(a, b, typ, CHECKSUM))
            elif s not in "90":  # issued since October 2020: no check digit to test
                add(Detection(a, b, typ, FORMAT))

    def _phones(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        for m in P.PHONE.finditer(v):
            a, b = m.span()
            if m.group().isdigit() and self._label(self._no_label, v, a, b) == OTHER:
                continue  # 회원번호 0212345678: bare digits that a label says are something else
            cands.append(Detection(a, b, "phone", FORMAT))
        if "82" in v:
            for m in P.PHONE_INTL.finditer(v):
                cands.append(Detection(m.start(), m.end(), "phone", FORMAT))

    def _emails(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        if "@" not in v:
            return
        for m in P.EMAIL.finditer(v):
            if m.group("tld").lower() in P.EMAIL_FILE_SUFFIXES:
                continue
            if view.starts is not None and not self._spelled_email_ok(m, view, v):
                continue
            cands.append(Detection(m.start(), m.end(), "email", FORMAT))

    def _spelled_email_ok(self, m: re.Match, view: FoldedText, v: str) -> bool:
        """An "@" written as the English word " at " counts only with a mail domain, a spelled dot,
        a mailbox-shaped name before it (a digit, ``.``, ``_`` or ``-`` in it; the domain not a
        ``www.`` one) or an e-mail label right before it (``메일: hong at lotte.net``, no other
        address between): "available at amazon.com" is prose."""
        at = m.start("domain") - 1
        if view.source(at, at + 1).strip().lower() != "at":
            return True
        domain = m.group("domain").lower()
        if domain in P.MAIL_DOMAINS or domain.endswith(P.MAIL_DOMAIN_SUFFIXES):
            return True
        if any(view.source(i, i + 1) != "." for i in range(m.start("domain"), m.end("domain")) if view.text[i] == "."):
            return True
        if not domain.startswith("www.") and _MAILBOX_MARK.search(v, m.start(), at):
            return True
        if self.context_chars is None:
            return False
        label = None
        for label in P.EMAIL_LABEL.finditer(v, max(0, m.start() - self.context_chars), m.start()):
            pass  # the nearest e-mail label before it, with no other address in between
        return label is not None and "@" not in v[label.end() : m.start()]

    def _cards(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        pos = 0
        while (m := P.CARD.search(v, pos)) is not None:
            a = m.start()
            for end in _card_readings(m, v):
                digits = _NON_DIGIT.sub("", v[a:end])
                if len(digits) == 13 and end - a == 13 and registration_birth_date(digits, self._today) is not None:
                    continue  # 13 bare digits that read as an RRN/FRN are one (13-digit Visa numbers are no longer issued);
                    # grouped 4-4-4-1 they are written as a card, never as an RRN (6-7)
                if luhn_ok(digits) and card_issuer_ok(digits):
                    lab = self._label(self._context["card"], v, a, end)
                    if lab != OTHER:
                        cands.append(Detection(a, end, "card", LABELLED if lab == OWN else CHECKSUM))
                    pos = end
                    break
            else:
                # Not a card from here: the card may start at a later group (010 1234 5678 4111 1111 ...).
                sep = m.group("s1") or m.group("s2")
                nxt = v.find(sep, a, m.end()) if sep else -1
                pos = nxt + 1 if nxt >= 0 else m.end()

    def _brns(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        label = self._label
        for m in P.BRN.finditer(v):
            a, b = m.span()
            if not brn_ok(_NON_DIGIT.sub("", m.group())):
                continue
            lab = label(self._context["brn"], v, a, b)
            if lab == OWN:
                cands.append(Detection(a, b, "brn", LABELLED))
            elif lab == NONE and m.group("hy") and label(self._context["account"], v, a, b) != OWN:
                cands.append(Detection(a, b, "brn", CHECKSUM))

    def _licences(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        if "-" in v:  # the named form is always hyphenated
            for m in P.DRIVER_LICENSE_NAMED.finditer(v):
                r = P.LICENSE_REGION_BEFORE.search(v, max(0, m.start() - 5), m.start())
                if r is not None:
                    cands.append(Detection(r.start(), m.end(), "driver_license", FORMAT))
        for m in P.DRIVER_LICENSE.finditer(v):
            a, b = m.span()
            if driver_license_ok(_NON_DIGIT.sub("", m.group())):
                lab = self._label(self._context["driver_license"], v, a, b)
                if lab == OWN or (lab == NONE and m.group("sep")):
                    cands.append(Detection(a, b, "driver_license", FORMAT))

    def _passports(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        own = self._context["passport"]
        if self.context_chars is None or not own.search(v):
            return  # a passport number needs its own label
        for m in P.PASSPORT.finditer(v):
            a, b = m.span()
            if self._label(own, v, a, b) == OWN:
                cands.append(Detection(a, b, "passport", FORMAT))

    def _accounts(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        if self.context_chars is None or not self._account_words.search(v):
            return  # every account needs an own label or a short bank name somewhere in its text
        for m in P.ACCOUNT.finditer(v):
            a, b = m.span()
            value = m.group()
            if m.group("as") == " ":  # spaced groups: the last ones may start the next number
                while len(_NON_DIGIT.sub("", value)) > 14 and value.count(" ") > 1:
                    value = value[: value.rfind(" ")]
                b = a + len(value)
            if P.SERVICE_NUMBER.fullmatch(value):
                continue  # phone-shaped: a phone (found above) or a non-personal service number
            if not 10 <= len(_NON_DIGIT.sub("", value)) <= 14:
                continue
            lab = self._label(self._context["account"], v, a, b)
            if lab == OWN or (
                lab == NONE
                and P.SHORT_BANK_BEFORE.search(v, max(0, a - 4), a)
                and not any(c.type == "phone" and c.start < b and a < c.end for c in cands)
            ):
                cands.append(Detection(a, b, "account", CHECKSUM))  # its label outweighs a bare Luhn match

    def _ips(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        if P.IPV4_HINT.search(v):
            for m in P.IPV4.finditer(v):
                value = m.group()
                if all(len(o) == 1 for o in value.split(".")):
                    continue  # 1.2.3.4: a version or section number, not an address
                if P.IP_VERSION_BEFORE.search(v, max(0, m.start() - 8), m.start()):
                    continue
                if ip_is_public(value):
                    cands.append(Detection(m.start(), m.end(), "ip", FORMAT))
        if P.IPV6_HINT.search(v):
            for m in P.IPV6.finditer(v):
                value = m.group()
                if value.count(":") >= 2 and value.strip(":") and ip_is_public(value):
                    cands.append(Detection(m.start(), m.end(), "ip", FORMAT))

    def _addresses(self, v: str, view: FoldedText, cands: list[Detection]) -> None:
        own = self._context["address"]
        labelled = lambda a, b: self._label(own, v, a, b) == OWN  # noqa: E731  (a: where the region starts)
        for a, b, region in self._address_finder.find(v, labelled):
            cands.append(Detection(a, b, "address", FORMAT, region))

    def _names(self, v: str, found: list[Detection]) -> list[Detection]:
        """Contact names: after a name label, or beside a phone, account, address or e-mail value."""
        spans = self._name_finder.after_labels(v)
        for d in found:
            if d.type in NAME_ANCHORS:
                spans.extend(self._name_finder.beside(v, d.left if d.left >= 0 else d.start, d.end, d.type))
        return [Detection(a, b, "name", FORMAT) for a, b in spans]

    # ------------------------------------------------------------------ redaction

    def redact_text(self, text: str) -> tuple[str, dict[str, int]]:
        """``text`` with every redact/drop detection replaced by its placeholder, and counts by type."""
        if not text:
            return text, {}
        found = self.detect(text)
        if not found:
            return text, {}
        counts: dict[str, int] = {}
        parts: list[str] = []
        pos = 0
        replaced = self._replaced
        for d in found:
            counts[d.type] = counts.get(d.type, 0) + 1
            if d.type in replaced:
                parts.append(text[pos : d.start])
                parts.append(PLACEHOLDERS[d.type])
                pos = d.end
        if pos == 0:
            return text, counts
        parts.append(text[pos:])
        return "".join(parts), counts

    def verdict(self, counts: Mapping[str, int]) -> Reject | None:
        """The reject for a document with these counts: the first ``drop`` type found, else None."""
        for t in self._dropped:
            n = counts.get(t, 0)
            if n:
                return Reject(reason=f"pii_{t}", value=str(n))
        return None

    def apply(self, batch: pa.RecordBatch) -> StepResult:
        texts = batch.column("text")
        n = batch.num_rows
        # One RE2 pass over the column: rows without any candidate skip the Python path.
        idx = candidate_rows(texts)
        row_counts: dict[int, dict[str, int]] = {}
        changed_rows: list[int] = []
        changed_texts: list[str] = []
        verdicts: list[Reject | None] = [None] * n
        if len(idx):
            for i, text in zip(idx.tolist(), texts.take(pa.array(idx)).to_pylist()):
                new, counts = self.redact_text(text)
                if counts:
                    row_counts[i] = counts
                    verdicts[i] = self.verdict(counts)
                    if new is not text:
                        changed_rows.append(i)
                        changed_texts.append(new)
        if changed_rows:
            mask = np.zeros(n, dtype=bool)
            mask[changed_rows] = True
            texts = pc.replace_with_mask(texts, pa.array(mask), pa.array(changed_texts, type=texts.type))
            batch = set_text(batch, texts)
        batch = set_column(batch, "pii_counts", _counts_array(row_counts, n))
        return StepResult(batch, verdicts)

    def describe(self) -> dict[str, Any]:
        return {"actions": dict(self.actions), "context_chars": self.context_chars, "today": self.today}


def _number_shape(v: str) -> tuple[int, int]:
    """(most digits in one :data:`_NUMBER` of ``v``, most digits in a row), or upper bounds of
    them: a number of 6 characters or fewer counts its length for both.

    The finders' thresholds above 6 are digits in a number, so only the longer numbers (one or
    two in a text) are read digit run by digit run.
    """
    numbers = _NUMBER.findall(v)
    if not numbers:
        return 0, 0
    top = max(map(len, numbers))
    if top <= 6:
        return top, top
    widest = run = max((n for n in map(len, numbers) if n <= 6), default=0)
    for number in numbers:
        if len(number) > 6:
            runs = list(map(len, _DIGIT_RUN.findall(number)))
            widest = max(widest, sum(runs))
            run = max(run, max(runs))
    return widest, run


def _card_readings(m: re.Match, text: str) -> list[int]:
    """End offsets to try for a card match, most likely first.

    A fifth group (4-4-4-4-3, 19 digits) is read as part of the card unless
    another digit group follows it, in which case 4-4-4-4 comes first (the
    fifth group probably starts the next number).
    """
    sep = m.group("s1")
    if sep and m.group().count(sep) == 4:
        short = m.start() + m.group().rfind(sep)
        more = m.end() + 1 < len(text) and text[m.end()] in " -" and text[m.end() + 1].isdigit()
        return [short, m.end()] if more else [m.end(), short]
    return [m.end()]


def _map_back(found: list[Detection], view: FoldedText) -> list[Detection]:
    """Detections in the view's offsets -> the original text's offsets (overlaps dropped, the first kept)."""
    if view.starts is None or not found:
        return found
    out: list[Detection] = []
    for d in found:
        a, b = view.span(d.start, d.end)
        if out and a < out[-1].end:
            continue
        out.append(Detection(a, b, d.type, d.strength, view.span(d.left, d.left + 1)[0] if d.left >= 0 else -1))
    return out


def _resolve(cands: list[Detection]) -> list[Detection]:
    """Keep the strongest, then longest, then earliest-type candidate of each overlapping group."""
    if len(cands) <= 1:
        return cands
    cands.sort(key=lambda d: (-d.strength, d.start - d.end, _PRIORITY[d.type], d.start))
    taken: list[Detection] = []
    for d in cands:
        if all(d.end <= t.start or d.start >= t.end for t in taken):
            taken.append(d)
    taken.sort()
    return taken


def _counts_array(row_counts: dict[int, dict[str, int]], n: int) -> pa.MapArray:
    """``map<string,int32>`` column: one map per row, empty where nothing was found."""
    offsets = np.zeros(n + 1, dtype=np.int32)
    keys: list[str] = []
    values: list[int] = []
    for i in sorted(row_counts):
        c = row_counts[i]
        for t in PII_TYPES:
            if t in c:
                keys.append(t)
                values.append(c[t])
        offsets[i + 1] = len(c)
    np.cumsum(offsets, out=offsets)
    return pa.MapArray.from_arrays(
        pa.array(offsets, pa.int32()), pa.array(keys, pa.string()), pa.array(values, pa.int32())
    ).cast(_PII_COUNTS_TYPE)

"""Regular expressions and context words for Korean PII.

Patterns find candidates only; :mod:`kocorpus.filters.pii_validators` and the
redactor's rules decide. They are searched in the folded view of the text
(:mod:`kocorpus.filters.pii_fold`), where full-width forms, other dashes and dots,
Hangul-numeral phone numbers and spelled e-mail read as ASCII. Digits are ASCII
``[0-9]`` (``\\d`` would also match other scripts' digits). Numeric patterns share one boundary rule: no letter or
digit directly before or after, and no ``digit + hyphen/dot`` continuing the
number (so ``2019-02-123-4567`` or ``A-010-1234-5678`` are not phone numbers).

:data:`TRIGGER_RE2` is a superset of every pattern, of the folded view's forms and
of the address and name finders, written for RE2 and matched against the original
text: a document it does not match has no PII candidate, which lets the redactor
skip most documents with one pass over the batch (:mod:`kocorpus.filters.pii_screen`).
"""

from __future__ import annotations

import re

from kocorpus.filters.pattern_lists import word_alternation
from kocorpus.filters.pii_address import ADDRESS_LABELS, SIDO
from kocorpus.filters.pii_fold import HANGUL_DIGITS, WIDTH_FOLD
from kocorpus.filters.pii_names import NAME_LABELS
from kocorpus.filters.pii_validators import DRIVER_LICENSE_REGION_NAMES

# ----------------------------------------------------------------------------- boundaries
#
# Each pattern starts with a plain character class so that the regex engine can skip
# ahead to candidate characters in C; the left-boundary lookbehinds come right after
# that first character and look one character further back.


def after_first(first: str, before: str = "[0-9A-Za-z_]") -> str:
    """Left boundary, placed after the pattern's first character (class ``first``):
    no ``before`` character, no "digit-"/"digit.", no "letter-" right before the number."""
    return rf"(?<!{before}{first})(?<![0-9][-.]{first})(?<![A-Za-z]-{first})"


#: Left boundary after a first digit.
LB1 = after_first("[0-9]")
#: Right boundary of a number: no ASCII letter/digit, no "-digit"/".digit"/"-letter" just after.
RB = r"(?![0-9A-Za-z_])(?![-.][0-9])(?!-[A-Za-z])"

# ----------------------------------------------------------------------------- patterns

#: RRN / FRN: YYMMDD, optional hyphen (or dash, or a space), S, six digits or six '*' (masked).
REGISTRATION = re.compile(
    r"(?P<birth>[0-9]" + LB1 + r"[0-9]{5})(?P<sep>[ ]?[-\u2013\u2014][ ]?|[ ])?(?P<s>[0-9])(?P<tail>[0-9]{6}|\*{6}|[xX]{6})" + RB
)

#: Phone prefixes after the national 0: mobile 010/011/016-019, Seoul 02, regions 031-064,
#: internet phone 070 and safe numbers 0502-0508. 15xx/16xx/18xx business numbers,
#: 080 toll-free and 060 premium numbers are not matched: they are not personal.
PHONE_PREFIX = r"(?:1[016-9]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50[2-8])"
_PHONE_SEP = r"(?:[ ]?[-.][ ]?|[ ])"
_PHONE_BODY = rf"(?P<mid>[0-9]{{3,4}}){_PHONE_SEP}?(?P<last>[0-9]{{4}})"
#: Domestic form: 0PP-MMMM-LLLL with hyphens, dots, spaces, none or a mix; the area code in
#: parentheses or closed by one: (0PP) MMMM-LLLL, (0PP)-MMMM-LLLL, 0PP)MMMM-LLLL.
PHONE = re.compile(
    rf"(?:\(0{PHONE_PREFIX}\)(?:[ ]?-[ ]?|[ ])?|0{after_first('0')}{PHONE_PREFIX}(?:\)[ ]?|{_PHONE_SEP})?){_PHONE_BODY}" + RB
)
#: International form: +82 / 0082 (also "(+82)", "+82)"), optional "(0)", the prefix without its 0 (or with it).
#: Only searched in texts that contain "82".
PHONE_INTL = re.compile(
    r"(?<![0-9A-Za-z_+(])(?:\(?\+[ ]?|00)82\)?[ ]?[-.]?[ ]?(?:\(0\)[ ]?)?0?"
    + rf"{PHONE_PREFIX}{_PHONE_SEP}?{_PHONE_BODY}"
    + RB
)

#: E-mail: ASCII local part, '@', dotted ASCII domain. Searched in the folded view
#: (kocorpus.filters.pii_fold), where ＠, 골뱅이, (at), " at ", 닷컴, (dot)... read as ASCII.
EMAIL = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+\-][A-Za-z0-9])[A-Za-z0-9._%+\-]{0,63}"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24}))(?![A-Za-z0-9\-])"
)
#: Mailbox providers and public-sector mail domains: an "@" spelled as the English word " at "
#: (an ordinary word too: "available at amazon.com") needs one of these, a spelled dot, a
#: mailbox-shaped name before it (with a digit, ``.``, ``_`` or ``-``) or an e-mail label.
MAIL_DOMAINS = frozenset(
    "naver.com daum.net hanmail.net gmail.com nate.com kakao.com hotmail.com outlook.com yahoo.com yahoo.co.kr "
    "icloud.com korea.kr empal.com dreamwiz.com lycos.co.kr paran.com".split()
)
MAIL_DOMAIN_SUFFIXES = (".ac.kr", ".go.kr", ".or.kr", ".re.kr", ".hs.kr", ".ms.kr", ".es.kr")
#: An e-mail label (not inside an ASCII word: the "mail" of gmail.com is none).
EMAIL_LABEL = re.compile(r"(?<![A-Za-z])(?:이메일|메일|전자우편|e-?mail|mail)(?![A-Za-z])", re.IGNORECASE)
#: "TLDs" that are image and asset file extensions (logo@2x.png is not an address).
EMAIL_FILE_SUFFIXES = frozenset("png jpg jpeg gif svg webp bmp ico css js pdf mp4 webm".split())

#: Card numbers: 4-4-4-(1..4)[-(1..3)] groups with one separator, Amex/Diners 4-6-(4|5), or 13-19 bare.
CARD = re.compile(
    "[0-9]"
    + LB1
    + r"(?:[0-9]{3}(?P<s1>[ -])[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{1,4}(?:(?P=s1)[0-9]{1,3})?"
    + r"|[0-9]{3}(?P<s2>[ -])[0-9]{6}(?P=s2)[0-9]{4,5}"
    + r"|[0-9]{12,18})"
    + RB
)

#: Bank accounts: bank-style groups (2-4 groups of 2-7 digits, the last 1-7) separated by hyphens
#: or by spaces (one kind throughout), or 10-14 bare digits.
ACCOUNT = re.compile(
    "[0-9]" + LB1 + r"(?:[0-9]{1,5}(?P<as>[- ])[0-9]{2,7}(?:(?P=as)[0-9]{2,7})?(?:(?P=as)[0-9]{1,7})?|[0-9]{9,13})"
    + RB + r"(?![:/,][0-9])"
)
SHORT_BANKS = ("국민", "신한", "우리", "하나", "기업", "토스", "카카오", "케이", "씨티", "SC")
#: A bank's short name right before a number (국민 123456-78-901234): a bank label only there,
#: since these are common words (국민, 우리, 하나...) everywhere else.
SHORT_BANK_BEFORE = re.compile(r"(?<![가-힣A-Za-z])(?:" + "|".join(SHORT_BANKS) + r")[ ]?$")
#: Phone-shaped numbers (0AA-NNN(N)-NNNN, 15xx-NNNN): never read as bank accounts.
SERVICE_NUMBER = re.compile(r"0[0-9]{1,3}[- ][0-9]{3,4}[- ][0-9]{4}|1[0-9]{3}[- ][0-9]{4}")

#: Business registration number: NNN-NN-NNNNN, or 10 bare digits.
BRN = re.compile("[0-9]" + LB1 + r"(?:(?P<hy>[0-9]{2}-[0-9]{2}-[0-9]{5})|[0-9]{9})" + RB)

_REGION_NAMES = "|".join(sorted(DRIVER_LICENSE_REGION_NAMES, key=len, reverse=True))
#: Driver's licence with a region name: "서울 YY-NNNNNN-CC" (licences issued since 2011): the number
#: (searched digit first), then the region name right before it (LICENSE_REGION_BEFORE).
DRIVER_LICENSE_NAMED = re.compile(r"[0-9](?<![0-9][0-9])[0-9]-[0-9]{6}-[0-9]{2}" + RB)
LICENSE_REGION_BEFORE = re.compile(rf"(?:{_REGION_NAMES})[ ]?$")
#: Driver's licence with a numeric region: RR-YY-NNNNNN-CC, also spaced or bare.
DRIVER_LICENSE = re.compile(
    "(?P<region>[0-9]" + LB1 + r"[0-9])(?P<sep>[- ]?)[0-9]{2}(?P=sep)[0-9]{6}(?P=sep)[0-9]{2}" + RB
)

#: Passport: [MSROD] + 8 digits (before 2021) or [MSROD] + 3 digits + letter + 4 digits (since 2021).
PASSPORT = re.compile(
    r"[MSRODmsrod](?<![0-9A-Za-z_][MSRODmsrod])(?:[0-9]{8}|[0-9]{3}[A-Za-z][0-9]{4})(?![0-9A-Za-z_])"
)

#: IPv4 dotted quad (octet ranges are checked when the address is parsed).
IPV4 = re.compile(r"[0-9](?<![0-9A-Za-z_.][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![0-9A-Za-z_]|\.[0-9])")
#: IPv6 candidate: a run of hex digits and colons (parsed and checked by the redactor).
IPV6 = re.compile(r"[0-9A-Fa-f:](?<![0-9A-Za-z_:.][0-9A-Fa-f:])[0-9A-Fa-f:]{1,38}(?![0-9A-Za-z_:])")
#: Cheap pre-checks (each starts with a literal, so the engine skips to it): every IPv4 candidate
#: holds a dot between two digits with 1-3 digits after it and a dot after those; every IPv6
#: address with two or more colons holds two colons with 0-4 hex digits between them.
IPV4_HINT = re.compile(r"\.(?<=[0-9]\.)[0-9]{1,3}\.[0-9]")
IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
#: Words right before an IPv4-looking number that make it a version or section number.
IP_VERSION_BEFORE = re.compile(r"(?i:v|ver\.?|version|버전|판)[ ]?$")

# ----------------------------------------------------------------------------- context words

#: Context words per PII type: found within the redactor's window they raise confidence.
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "rrn": ("주민번호", "주민등록", "주민", "생년월일", "RRN", "resident registration"),
    "frn": ("외국인등록", "외국인번호", "외국인", "등록번호", "FRN", "alien registration"),
    "phone": (
        "전화", "전번", "연락", "연락처", "휴대폰", "핸드폰", "휴대전화", "폰", "번호", "문의", "팩스", "카톡", "문자", "tel", "phone",
        "mobile", "fax", "hp", "h.p", "☎",
    ),
    "address": ADDRESS_LABELS,
    "account": (
        "계좌", "통장", "입금", "송금", "이체", "예금주", "은행", "뱅크", "농협", "신협", "수협", "새마을금고",
        "우체국", "SC제일", "카뱅", "케뱅", "KB", "NH", "IBK", "account", "bank",
    ),
    "passport": ("여권", "passport"),
    "driver_license": ("운전면허", "면허번호", "면허증", "driver", "licence", "license"),
    "brn": ("사업자", "법인등록", "business registration", "BRN", "tax id"),
    "card": ("카드", "card", "결제", "visa", "master"),
}

#: Labels that say a number is something else (order, parcel, document, barcode): the nearest
#: label before a number decides what it is (see KoreanPiiRedactor._label).
OTHER_NUMBER_LABELS: tuple[str, ...] = (
    "주문번호", "주문 번호", "송장", "운송장", "등기번호", "접수번호", "관리번호", "일련번호", "문서번호", "예약번호", "바코드",
    "ISBN", "ISSN", "상품번호", "제품번호", "품번", "모델명", "모델번호", "회원번호", "고객번호", "거래번호", "거래 ID",
    "order", "invoice", "tracking", "serial",
)


def words_regex(words: tuple[str, ...]) -> re.Pattern:
    """Case-insensitive search for any of ``words``, the longest at the leftmost position."""
    return re.compile(word_alternation(words, ignore_case=True))


# ----------------------------------------------------------------------------- batch trigger


def _re2_class(ascii_chars: str, extra: str = "") -> str:
    """RE2 character class of ``ascii_chars`` and every character the folded view reads as one of them."""
    chars = set(ascii_chars) | set(extra)
    chars |= {chr(c) for c, to in WIDTH_FOLD.items() if to in ascii_chars}
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


_D = _re2_class("0123456789")
_SIDO_SHORT = "|".join(w for w in SIDO if w[-1] not in "시군구도")
_ND = "[^" + _D[1:]
_SP = _re2_class(" ")
_DOT = _re2_class(".")
_SEP = _re2_class(" .-")
_NUMERAL = _re2_class("0123456789", "".join(HANGUL_DIGITS))
_AN = _re2_class("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_HEX = _re2_class("0123456789ABCDEFabcdef")
_AT_WORD = _re2_class("aA") + _re2_class("tT")


def _trigger() -> str:
    """RE2 superset of every pattern and fold (see module docstring)."""
    parts = [
        rf"{_D}(?:{_ND}{{0,4}}{_D}){{6}}",  # seven digits with short gaps: every numeric type
        rf"{_re2_class('0', '공영')}(?:{_SEP}?{_NUMERAL}){{6}}",  # a run with Hangul numerals
        _re2_class("@"), "골뱅이", rf"{_re2_class('([{')}{_SP}?{_AT_WORD}{_SP}?{_re2_class(')]}')}",
        rf"{_AN}{_SP}{_AT_WORD}{_SP}{_AN}",  # e-mail, "@" spelled
        rf"{_D}{_DOT}{_D}{{1,3}}{_DOT}{_D}{{1,3}}{_DOT}{_D}",  # IPv4
        rf"{_HEX}?{_re2_class(':')}{_HEX}{{0,4}}{_re2_class(':')}",  # IPv6
        rf"{_re2_class('MSRODmsrod')}{_D}{{3}}",  # passport
        # street address: a region's last word, at most one more word (읍/면), then a road or 동
        # and its number; or an address label, 번지, or a unit (101동 1203호)
        rf"(?:[시군구도]|{_SIDO_SHORT}){_SP}+(?:[^ \x{{3000}}]+{_SP}+)?[^ \x{{3000}}]{{0,20}}[로길동리가]{_SP}?(?:산{_SP}?|지하{_SP}?)?{_D}",
        "|".join(re.escape(w) for w in ADDRESS_LABELS), "번지", rf"{_D}{_SP}?동{_SP}?{_D}{{3}}",
        # an invisible character (soft hyphen, zero-width space...): the view drops it, which can join words
        r"[\x{ad}\x{200b}-\x{200d}\x{2060}\x{feff}]",
        # contact names: a label, its separator and a Hangul syllable
        rf"(?:{'|'.join(re.escape(w) for w in NAME_LABELS)})(?:{_SP}*[:=(\x{{ff1a}}\x{{ff08}}]{_SP}*|[은는]{_SP}+|{_SP}+)[가-힣]",
    ]
    return "|".join(parts)


#: RE2 superset of every pattern above, of the folded view's forms and of the address and name
#: finders (see module docstring). Seven digits with short separators cover RRN/FRN, phone, card,
#: account, BRN and licence; the rest cover Hangul-numeral runs, e-mail, IPv4, IPv6, passport
#: numbers, addresses and labelled names.
TRIGGER_RE2 = _trigger()

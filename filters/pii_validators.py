"""Validation rules for Korean PII numbers: dates, check digits, issuer and region codes.

Every function takes the digits of a candidate (ASCII ``0-9`` only, separators
already removed) and answers one question; none of them searches text.
Check-digit functions (``*_check_digit``) compute the digit that makes a
payload valid, so generators and validators share one definition.

Resident registration numbers (주민등록번호, RRN) and foreigner registration
numbers (외국인등록번호, FRN) are ``YYMMDD`` + ``S`` + 6 digits. ``S`` gives the
century of birth and whether the holder is a citizen:

==========  =========  ==========
S           century    holder
==========  =========  ==========
9, 0        1800s      citizen
1, 2        1900s      citizen
3, 4        2000s      citizen
5, 6        1900s      foreigner
7, 8        2000s      foreigner
==========  =========  ==========

Numbers issued before October 2020 end with a check digit (mod-11 weights
2..9,2..5); numbers issued since then end with random digits, so a failed
check digit never proves that a number is not an RRN.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

#: S digit -> (century, is_foreigner).
RRN_CENTURY: dict[str, tuple[int, bool]] = {
    "9": (1800, False),
    "0": (1800, False),
    "1": (1900, False),
    "2": (1900, False),
    "3": (2000, False),
    "4": (2000, False),
    "5": (1900, True),
    "6": (1900, True),
    "7": (2000, True),
    "8": (2000, True),
}

_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def registration_birth_date(digits: str, today: dt.date | None = None) -> dt.date | None:
    """Birth date of a 13-digit RRN/FRN (``YYMMDD`` + ``S``...), or None when it is not a real date.

    Only the first 7 digits are read. A date after ``today`` is not valid.
    """
    if len(digits) < 7 or not digits[:7].isdigit():
        return None
    century = RRN_CENTURY.get(digits[6])
    if century is None:
        return None
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None  # most non-dates, without the cost of an exception
    try:
        born = dt.date(century[0] + int(digits[0:2]), month, day)
    except ValueError:
        return None
    if born > (today or dt.date.today()):
        return None
    return born


def is_foreigner_number(digits: str) -> bool:
    """True when the S digit (7th) marks a foreigner registration number (5-8)."""
    return len(digits) >= 7 and digits[6] in "5678"


def rrn_check_digit(first12: str) -> int:
    """Check digit of a pre-October-2020 RRN: ``(11 - sum(w*d) mod 11) mod 10``."""
    s = sum(w * int(d) for w, d in zip(_RRN_WEIGHTS, first12, strict=True))
    return (11 - s % 11) % 10


def frn_check_digit(first12: str) -> int:
    """Check digit of a pre-October-2020 FRN: ``(13 - sum(w*d) mod 11) mod 10``."""
    s = sum(w * int(d) for w, d in zip(_RRN_WEIGHTS, first12, strict=True))
    return (13 - s % 11) % 10


def registration_checksum_ok(digits: str) -> bool:
    """True when a 13-digit RRN/FRN satisfies the old check digit of its kind."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    compute = frn_check_digit if is_foreigner_number(digits) else rrn_check_digit
    return compute(digits[:12]) == int(digits[12])


def luhn_check_digit(payload: str) -> int:
    """Digit to append to ``payload`` so that the whole number passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled positions, counted from the (future) check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (at least 2) pass the Luhn (mod 10) check."""
    if len(digits) < 2 or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def card_issuer_ok(digits: str) -> bool:
    """True when the prefix and length fit a card scheme in use (13-19 digits).

    Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay,
    Maestro, and Korean domestic-only cards (prefix 9, 16 digits).
    """
    n = len(digits)
    if not 13 <= n <= 19 or not digits.isdigit():
        return False
    p1, p2, p3, p4 = digits[0], int(digits[:2]), int(digits[:3]), int(digits[:4])
    if p1 == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if p4 in (2131, 1800):
        return n == 15
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or p2 == 62 or p2 == 35:  # 35: JCB (3528-3589) and its range
        return n >= 16
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):
        return n >= 14
    if p2 == 50 or 56 <= p2 <= 69:
        return True
    if p1 == "9":
        return n == 16
    return False


_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> int:
    """Check digit of a business registration number (사업자등록번호) from its first 9 digits."""
    d = [int(c) for c in first9]
    if len(d) != 9:
        raise ValueError("a business registration number payload has 9 digits")
    s = sum(w * x for w, x in zip(_BRN_WEIGHTS[:8], d[:8]))
    last = d[8] * 5
    s += last + last // 10
    return (10 - s % 10) % 10


def brn_ok(digits: str) -> bool:
    """True when a 10-digit business registration number has a correct check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    return brn_check_digit(digits[:9]) == int(digits[9])


#: Numeric region codes of driver's licence numbers (11 Seoul ... 28 Gyeonggi-north; 27 unused).
DRIVER_LICENSE_REGIONS: frozenset[str] = frozenset(
    [str(c) for c in range(11, 27)] + ["28"]
)

#: Region names printed instead of the numeric code on licences issued since 2011.
DRIVER_LICENSE_REGION_NAMES: tuple[str, ...] = (
    "서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남",
    "제주", "대구", "인천", "광주", "대전", "울산", "경기남부", "경기북부", "세종",
)


def driver_license_ok(digits: str) -> bool:
    """True for a 12-digit licence number with a numeric region code (``RR YY NNNNNN CC``)."""
    return len(digits) == 12 and digits.isdigit() and digits[:2] in DRIVER_LICENSE_REGIONS


def ip_is_public(value: str) -> bool:
    """True when ``value`` is an IPv4/IPv6 address routable on the public internet.

    Private, loopback, link-local, multicast, documentation and reserved ranges
    are not personal data about a user and return False.
    """
    try:
        if ":" in value:  # an IPv4 address never has one, an IPv6 address always
            addr = ipaddress.IPv6Address(value)
        elif _ipv4_shaped(value):  # what IPv4Address accepts, tested without raising (exceptions are slow)
            addr = ipaddress.IPv4Address(value)
        else:
            return False
    except ValueError:
        return False
    return bool(addr.is_global) and not addr.is_multicast


def _ipv4_shaped(value: str) -> bool:
    """Four ASCII decimal octets, 0-255, without leading zeros (the form ``IPv4Address`` parses)."""
    octets = value.split(".")
    return len(octets) == 4 and all(
        0 < len(o) <= 3 and o.isascii() and o.isdigit() and (o[0] != "0" or o == "0") and int(o) <= 255 for o in octets
    )

"""Property tests for the PII validators: generated valid numbers pass, corrupted ones fail.

Reference formulas are written out here independently of the module under test.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kocorpus.filters import pii_validators as V

TODAY = dt.date(2025, 6, 30)


def ref_luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def ref_registration_check(first12: str, foreigner: bool) -> int:
    s = sum(int(d) * w for d, w in zip(first12, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]))
    return ((13 if foreigner else 11) - s % 11) % 10


# ---------------------------------------------------------------- RRN / FRN

S_BY_CENTURY = {(1800, False): "90", (1900, False): "12", (2000, False): "34", (1900, True): "56", (2000, True): "78"}


@st.composite
def registration_numbers(draw, foreigner: bool | None = None, checksum: bool = True):
    """(digits, birth date, foreigner) for a registration number with a real birth date."""
    fore = draw(st.booleans()) if foreigner is None else foreigner
    century = draw(st.sampled_from([1900, 2000] if fore else [1800, 1900, 2000]))
    lo = dt.date(century, 1, 1)
    hi = min(dt.date(century + 99, 12, 31), TODAY)
    born = draw(st.dates(min_value=lo, max_value=hi))
    s = draw(st.sampled_from(S_BY_CENTURY[(century, fore)]))
    serial = draw(st.text(alphabet="0123456789", min_size=5, max_size=5))
    first12 = f"{born:%y%m%d}{s}{serial}"
    check = ref_registration_check(first12, fore)
    if not checksum:
        check = (check + draw(st.integers(1, 9))) % 10
    return first12 + str(check), born, fore


@given(registration_numbers())
def test_registration_valid_numbers_pass(case):
    number, born, foreigner = case
    assert V.registration_birth_date(number, TODAY) == born
    assert V.is_foreigner_number(number) == foreigner
    assert V.registration_checksum_ok(number)


@given(registration_numbers(checksum=False))
def test_registration_wrong_check_digit_fails_checksum_but_keeps_date(case):
    number, born, _ = case
    assert not V.registration_checksum_ok(number)
    assert V.registration_birth_date(number, TODAY) == born  # still a well-formed number


@given(registration_numbers(), st.integers(13, 99), st.integers(32, 99))
def test_registration_impossible_dates_fail(case, month, day):
    number, _, _ = case
    assert V.registration_birth_date(number[:2] + f"{month:02d}" + number[4:], TODAY) is None
    assert V.registration_birth_date(number[:4] + f"{day:02d}" + number[6:], TODAY) is None
    assert V.registration_birth_date(number[:2] + "00" + number[4:], TODAY) is None


@given(st.integers(0, 99), st.sampled_from("12345678"))
def test_registration_february_29_follows_the_century(yy, s):
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900}.get(s, 2000)
    year = century + yy
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    number = f"{yy:02d}0229{s}000000"
    expected = leap and dt.date(year, 2, 29) <= TODAY
    assert (V.registration_birth_date(number, TODAY) is not None) == expected


@given(registration_numbers())
def test_registration_future_birth_dates_fail(case):
    number, born, fore = case
    future = TODAY + dt.timedelta(days=1)
    s = "7" if fore else "3"
    assert V.registration_birth_date(f"{future:%y%m%d}{s}{number[7:]}", TODAY) is None


def test_registration_s_digit_table_covers_every_digit():
    assert set(V.RRN_CENTURY) == set("0123456789")
    assert {d for d, (_, f) in V.RRN_CENTURY.items() if f} == set("5678")


# ---------------------------------------------------------------- Luhn and card schemes

@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_luhn_check_digit_makes_a_valid_number(payload):
    number = payload + str(V.luhn_check_digit(payload))
    assert V.luhn_ok(number)
    assert ref_luhn_ok(number)


@given(st.text(alphabet="0123456789", min_size=12, max_size=18), st.data())
def test_luhn_detects_every_single_digit_error(payload, data):
    number = payload + str(V.luhn_check_digit(payload))
    i = data.draw(st.integers(0, len(number) - 1))
    new = data.draw(st.sampled_from([c for c in "0123456789" if c != number[i]]))
    assert not V.luhn_ok(number[:i] + new + number[i + 1 :])


@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_luhn_agrees_with_reference(number):
    assert V.luhn_ok(number) == ref_luhn_ok(number)


@given(st.sampled_from(["4", "51", "55", "2221", "34", "37", "6011", "65", "3530", "62", "9"]), st.data())
def test_card_issuer_accepts_scheme_lengths(prefix, data):
    lengths = {"4": [13, 16, 19], "34": [15], "37": [15], "51": [16], "55": [16], "2221": [16], "9": [16]}
    n = data.draw(st.sampled_from(lengths.get(prefix, [16, 17, 18, 19])))
    rest = data.draw(st.text(alphabet="0123456789", min_size=n - len(prefix), max_size=n - len(prefix)))
    assert V.card_issuer_ok(prefix + rest)


@given(st.text(alphabet="0123456789", min_size=1, max_size=12) | st.text(alphabet="0123456789", min_size=20, max_size=25))
def test_card_issuer_rejects_lengths_outside_13_to_19(number):
    assert not V.card_issuer_ok(number)


@given(st.sampled_from("078"), st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_card_issuer_rejects_non_card_prefixes(first, rest):
    assert not V.card_issuer_ok(first + rest)


# ---------------------------------------------------------------- business registration number


def ref_brn_check(first9: str) -> int:
    d = list(map(int, first9))
    total = sum(x * w for x, w in zip(d, [1, 3, 7, 1, 3, 7, 1, 3]))
    total += (d[8] * 5) // 10 + d[8] * 5
    return (10 - total % 10) % 10


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_brn_valid_numbers_pass(first9):
    assert V.brn_check_digit(first9) == ref_brn_check(first9)
    assert V.brn_ok(first9 + str(ref_brn_check(first9)))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(1, 9))
def test_brn_wrong_check_digit_fails(first9, delta):
    assert not V.brn_ok(first9 + str((ref_brn_check(first9) + delta) % 10))


@given(st.text(alphabet="0123456789", min_size=0, max_size=20).filter(lambda s: len(s) != 10))
def test_brn_needs_ten_digits(s):
    assert not V.brn_ok(s)


# ---------------------------------------------------------------- driver's licence


@given(st.integers(0, 99), st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_driver_license_region_codes(region, rest):
    ok = 11 <= region <= 26 or region == 28
    assert V.driver_license_ok(f"{region:02d}{rest}") == ok


# ---------------------------------------------------------------- IP addresses

PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4"]


@given(st.sampled_from(PRIVATE_V4), st.integers(0, 2**32 - 1))
def test_ip_private_ranges_are_not_public(net, r):
    network = ipaddress.ip_network(net)
    addr = network[r % network.num_addresses]
    assert not V.ip_is_public(str(addr))


@given(st.ip_addresses())
def test_ip_public_matches_global_unicast(addr):
    assert V.ip_is_public(str(addr)) == (addr.is_global and not addr.is_multicast)


@given(st.text(max_size=20))
def test_ip_garbage_is_not_an_address(s):
    assume(not any(c in s for c in ".:"))
    assert not V.ip_is_public(s)


@pytest.mark.parametrize("value", ["256.1.1.1", "1.2.3", "2001:db8::g", ""])
def test_ip_malformed(value):
    assert not V.ip_is_public(value)


def _parses(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


@given(st.lists(st.text(alphabet="0123456789٣", min_size=0, max_size=4), min_size=1, max_size=5).map(".".join))
def test_ip_dotted_strings_agree_with_ipaddress(value):
    addr = _parses(value)
    assert V.ip_is_public(value) == (addr is not None and addr.is_global and not addr.is_multicast)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_registration_birth_date_is_the_calendar_date(digits):
    century = V.RRN_CENTURY.get(digits[6])
    try:
        expected = dt.date(century[0] + int(digits[:2]), int(digits[2:4]), int(digits[4:6])) if century else None
    except ValueError:
        expected = None
    today = dt.date(2026, 12, 1)
    expected = expected if expected is None or expected <= today else None
    assert V.registration_birth_date(digits, today) == expected

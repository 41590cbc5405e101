"""PII written the way Korean pages write it: full-width, spaced, spelled, Hangul numerals.

Each value is found in its written form, the original characters are replaced, and the
rest of the text is unchanged (no width folding of the text itself).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor
from kocorpus.filters.pii_validators import luhn_check_digit, rrn_check_digit

TODAY = "2025-06-30"
REDACT_ALL = {t: "redact" for t in PII_TYPES}
HANGUL = dict(zip("0123456789", "공일이삼사오육칠팔구"))
num = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731


@pytest.fixture(scope="module")
def red():
    return KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)


def only(r, text):
    return [(d.type, text[d.start : d.end]) for d in r.detect(text)]


def full_width(s: str) -> str:
    """ASCII letters, digits and punctuation -> their full-width forms (spaces stay)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@st.composite
def values(draw):
    """(type, value) in a conventional ASCII form."""
    kind = draw(st.sampled_from(["phone", "rrn", "card", "account", "email", "ip"]))
    if kind == "phone":
        return kind, f"010-{draw(num(4))}-{draw(num(4))}"
    if kind == "rrn":
        first12 = "900101" + draw(st.sampled_from("12")) + draw(num(5))
        d = first12 + str(rrn_check_digit(first12))
        return kind, f"{d[:6]}-{d[6:]}"
    if kind == "card":
        payload = "4" + draw(num(14))
        d = payload + str(luhn_check_digit(payload))
        return kind, "-".join(d[i : i + 4] for i in range(0, 16, 4))
    if kind == "account":
        return kind, f"110-{draw(num(3))}-{draw(num(6))}"
    if kind == "email":
        return kind, draw(st.sampled_from(["hong@naver.com", "kim.sj@daum.net", "lee_99@korea.kr"]))
    return kind, draw(st.sampled_from(["211.45.67.89", "8.26.56.26"]))


LABEL = {"phone": "연락처 ", "rrn": "주민번호 ", "card": "카드 ", "account": "국민은행 계좌 ", "email": "메일 ", "ip": "접속 IP "}


@settings(deadline=None)
@given(values(), st.sampled_from(["", "입니다.", " 로 보내주세요", "(확인)"]))
def test_full_width_values_are_found_and_only_they_are_replaced(case, after):
    red = KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)
    kind, value = case
    wide = full_width(value)
    text = f"안녕하세요. {LABEL[kind]}{wide}{after} 감사합니다 ２０２５년"
    new, counts = red.redact_text(text)
    assert counts == {kind: 1}
    assert new == text.replace(wide, red_placeholder(kind))  # the rest is byte-identical, still full-width
    assert unicodedata.is_normalized("NFC", new)


def red_placeholder(kind):
    from kocorpus.filters.placeholders import PLACEHOLDERS

    return PLACEHOLDERS[kind]


@pytest.mark.parametrize(
    "phone",
    [
        "02)123-4567", "(031)123-4567", "(02) 123-4567", "(02)-123-4567", "031)1234-5678", "010.1234.5678",
        "010 1234 5678", "010.1234-5678", "010 1234-5678", "010-1234 5678", "01012345678", "+82-10-1234-5678",
        "+82 10 1234 5678", "+82 (0)10-1234-5678", "0082-10-1234-5678", "+82-2-123-4567", "010ㅡ1234ㅡ5678",
        "010–1234–5678", "010·1234·5678", "０２）１２３－４５６７", "+82)10-1234-5678", "(+82) 10-1234-5678", "(+82) 2 955 7198",
    ],
)
def test_phone_written_forms(red, phone):
    assert only(red, f"문의는 {phone} 으로 주세요") == [("phone", phone)]


@settings(deadline=None)
@given(num(4), num(4), st.sampled_from(["전화 ", "연락처: ", "핸드폰 ", "폰 ", "문의 ", "번호 "]), st.sampled_from([" ", "-", ""]), st.booleans())
def test_phone_in_hangul_numerals_with_a_phone_word(mid, last, word, sep, zero_as_yeong):
    red = KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)
    spell = lambda d: "".join(HANGUL[c] for c in d).replace("공", "영" if zero_as_yeong else "공")  # noqa: E731
    value = sep.join([spell("010"), spell(mid), spell(last)])
    for after in ("", "로 연락 주세요", "이에요", " 입니다"):
        text = f"{word}{value}{after}"
        assert only(red, text) == [("phone", value)], text


@pytest.mark.parametrize("text", ["공일공 일이삼사 오육칠팔", "오늘은 공일공 일이삼사 오육칠팔 순서로 외웠다"])
def test_hangul_numerals_without_a_phone_word_are_not_phones(red, text):
    assert only(red, text) == []


@pytest.mark.parametrize(
    "email",
    [
        "hong 골뱅이 naver.com", "hong골뱅이naver.com", "hong(at)naver.com", "hong [at] daum.net", "hong (at) daum (dot) net",
        "hong at naver dot com", "hong at naver.com", "kim.sj at snu.ac.kr", "hong 골뱅이 naver 닷컴", "hong@naver닷컴",
        "hong 골뱅이 네이버 닷컴", "hong @ naver.com", "hong@ naver.com", "hong [at] korea [dot] kr", "ｈｏｎｇ＠ｎａｖｅｒ．ｃｏｍ",
        "hong＠daum.net", "hong 골뱅이 gmail 쩜 com", "hong{at}korea.kr", "hong(골뱅이)naver.com", "hong@daum{dot}net",
    ],
)
def test_email_written_forms(red, email):
    text = f"메일은 {email} 으로 보내주세요"
    assert only(red, text) == [("email", email)]


@pytest.mark.parametrize(
    "text", ["available at amazon.com now", "meet at lotte.co.kr", "look at this", "골뱅이 무침 맛집", "닷컴 버블 시대", "hong 골뱅이"]
)
def test_spelled_at_needs_a_mail_shape(red, text):
    assert [t for t, _ in only(red, text)] == []


@pytest.mark.parametrize(
    "text, email",
    [
        ("연락은 lee.sky55 at samsung.com 으로", "lee.sky55 at samsung.com"),  # a mailbox-shaped name
        ("star43 at lotte.net 으로 회신", "star43 at lotte.net"),
        ("E-mail: hyunhappy at lotte.net", "hyunhappy at lotte.net"),  # an e-mail label right before
        ("메일주소 junjiwoo at coupang.com 로 보내주세요", "junjiwoo at coupang.com"),
    ],
)
def test_at_word_with_a_mailbox_name_or_an_email_label(red, text, email):
    assert only(red, text) == [("email", email)]


@pytest.mark.parametrize(
    "text",
    [
        "메일 hong@gmail.com meet at lotte.co.kr",  # the label belongs to the other address; "mail" of gmail is no label
        "이메일: qgim골뱅이gmail.com meet at lotte.co.kr",
        "visit us at www.lotte-1.com",
    ],
)
def test_at_word_prose_next_to_an_address_stays(red, text):
    assert [v for t, v in only(red, text) if "lotte" in v] == []


@pytest.mark.parametrize(
    "text, value",
    [("국민 24560597549402 입금", "24560597549402"), ("토스 100054464423", "100054464423"), ("신한 １１０－４７７－８８１４６２", "１１０－４７７－８８１４６２")],
)
def test_a_short_bank_name_right_before_a_number_labels_an_account(red, text, value):
    assert only(red, text) == [("account", value)]


@pytest.mark.parametrize("text", ["우리 2020년 1234567890123 번째", "하나 01012345678", "국민 여러분 24560597549402"])
def test_short_bank_words_elsewhere_label_nothing(red, text):
    assert "account" not in [t for t, _ in only(red, text)]


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("주민번호 ９００１０１－１２３４５６８", "rrn", "９００１０１－１２３４５６８"),
        ("주민번호 900101 - 1234568", "rrn", "900101 - 1234568"),
        ("주민번호 900101-1●●●●●●", "rrn", "900101-1●●●●●●"),
        ("주민번호 900101-1xxxxxx", "rrn", "900101-1xxxxxx"),
        ("카드 ４１１１ １１１１ １１１１ １１１１", "card", "４１１１ １１１１ １１１１ １１１１"),
        ("국민은행 계좌 110 123 456789", "account", "110 123 456789"),
        ("입금 계좌 １１０－１２３－４５６７８９", "account", "１１０－１２３－４５６７８９"),
        ("농협 301 1234 5678 11 로 입금", "account", "301 1234 5678 11"),
        ("여권번호 Ｍ１２３４５６７８", "passport", "Ｍ１２３４５６７８"),
    ],
)
def test_numbers_in_full_width_or_spaced_forms(red, text, kind, value):
    assert only(red, text) == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    ["가격 １２，０００원", "２０２４년 ３월 １５일", "２０２４－０３－１５ 기준", "모델 ＳＭ－Ｇ９９１Ｎ", "고객센터 １５８８－１２３４", "１２：３０ 시작", "전화 1588-1234"],
)
def test_full_width_hard_negatives_are_kept(red, text):
    assert only(red, text) == []


@pytest.mark.parametrize("text", ["회원번호 0212345678", "주문번호 01012345678 확인", "송장 0312345678"])
def test_bare_digits_under_an_other_number_label_are_not_phones(red, text):
    assert only(red, text) == []


def test_invisible_characters_inside_a_number_are_redacted_with_it(red):
    text = "연락처 010\u00ad1234\u200b5678 입니다"
    new, counts = red.redact_text(text)
    assert new == "연락처 <|tel|> 입니다" and counts == {"phone": 1}


PIECES = st.sampled_from(
    [
        "전화 ", "공일공", "영일영", " 일이삼사", "-오육칠팔", "이에요", "０１０", "－", "１２３４", "５６７８", "010", "1234", "5678", " ",
        "hong", " 골뱅이 ", "naver", " 닷컴", " at ", " dot ", "com", "(at)", "＠", "서울 ", "강남구 ", "테헤란로 ", "123", ", 4층",
        "역삼동 ", "번지", "101동 ", "1203호", "예금주 ", "성명: ", "홍길동", "김철수 ", "(", ")", "\u00ad", "\u3000", "ㅡ", "·",
    ]
)


@settings(deadline=None, max_examples=300)
@given(st.lists(PIECES, min_size=1, max_size=14).map("".join))
def test_the_batch_trigger_matches_every_text_with_a_detection(text):
    import pyarrow as pa
    import pyarrow.compute as pc

    from kocorpus.filters.pii_patterns import TRIGGER_RE2

    red = KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)
    if red.detect(text):
        assert pc.match_substring_regex(pa.array([text]), TRIGGER_RE2)[0].as_py(), text


NUMBER_PIECES = st.sampled_from(
    [
        "주민번호 ", "900101", "-", " - ", "1234568", "카드 ", "4111", " ", "1111", "계좌 ", "110", "123456", "456789", "여권 ",
        "M", "12345678", "A", "면허 ", "서울 ", "12", "34", "사업자 ", "220", "81", "62517", "IP ", "203.0.113.7", ".", "8",
        "전화 ", "02)", "010", "+82 ", "５６７８", "－", "토스 ", "1000", "국민 ", "(", ")", "/", ":", "공일공", "가",
    ]
)


@settings(deadline=None, max_examples=400)
@given(st.lists(NUMBER_PIECES, min_size=1, max_size=12).map("".join))
@example("A::")  # an IPv6 address without a decimal digit
def test_skipping_finders_by_the_widest_number_and_digit_run_never_changes_a_detection(text):
    gated = KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)
    every = KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)
    every._finders = tuple((find, 0, 0) for find, _, _ in every._finders)
    assert gated.detect(text) == every.detect(text)

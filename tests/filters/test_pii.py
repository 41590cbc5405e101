"""The PII redactor: each type is found and replaced, non-PII numbers stay, the step contract holds."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kocorpus.filters.base import Reject
from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor
from kocorpus.filters.pii_validators import (
    brn_check_digit,
    frn_check_digit,
    luhn_check_digit,
    registration_birth_date,
    rrn_check_digit,
)
from kocorpus.filters.placeholders import PLACEHOLDERS
from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch

TODAY = "2025-06-30"
REDACT_ALL = {t: "redact" for t in PII_TYPES}

KOREAN = st.sampled_from(
    ["안녕하세요. ", "문의 사항은 아래로 연락 주세요. ", "오늘 날씨가 좋네요 ", "감사합니다! ", "자세한 내용은 다음과 같습니다: ", ""]
)
num = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731


@pytest.fixture(scope="module")
def red():
    return KoreanPiiRedactor(actions=REDACT_ALL, today=TODAY)


def only(r: KoreanPiiRedactor, text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start : d.end]) for d in r.detect(text)]


# ---------------------------------------------------------------- generators


@st.composite
def registration(draw, foreigner=False, checksum=True):
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2019, 12, 31)))
    s = draw(st.sampled_from(("57" if born.year < 2000 else "78") if foreigner else ("12" if born.year < 2000 else "34")))
    if foreigner and born.year < 2000:
        s = draw(st.sampled_from("56"))
    first12 = f"{born:%y%m%d}{s}" + draw(num(5))
    check = (frn_check_digit if foreigner else rrn_check_digit)(first12)
    if not checksum:
        check = (check + draw(st.integers(1, 9))) % 10
    return first12 + str(check)


@st.composite
def phones(draw):
    prefix = draw(st.sampled_from(["010", "011", "016", "017", "018", "019", "02", "031", "044", "051", "064", "070", "0505"]))
    mid = draw(num(4 if prefix in ("010", "070") or prefix.startswith("050") else draw(st.sampled_from([3, 4]))))
    last = draw(num(4))
    sep = draw(st.sampled_from(["-", ".", " ", "", " - "]))
    form = draw(st.sampled_from(["plain", "paren", "intl"]))
    if form == "paren":
        return f"({prefix}) {mid}-{last}"
    if form == "intl":
        cc = draw(st.sampled_from(["+82 ", "+82-", "+82", "0082-", "+82 (0)"]))
        return f"{cc}{prefix[1:]}{sep}{mid}{sep}{last}"
    return f"{prefix}{sep}{mid}{sep}{last}"


@st.composite
def cards(draw):
    prefix, n = draw(st.sampled_from([("4", 16), ("4", 13), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16), ("3530", 16), ("9", 16)]))
    payload = prefix + draw(num(n - 1 - len(prefix)))
    number = payload + str(luhn_check_digit(payload))
    style = draw(st.sampled_from(["-", " ", ""]))
    if n == 15 and style:
        return f"{number[:4]}{style}{number[4:10]}{style}{number[10:]}"
    if style:
        return style.join(number[i : i + 4] for i in range(0, n, 4))
    return number


@st.composite
def brns(draw):
    first9 = draw(num(9))
    d = first9 + str(brn_check_digit(first9))
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


# ---------------------------------------------------------------- per type


@given(registration(), KOREAN, st.sampled_from(["주민등록번호 ", "주민번호: ", "", "번호 "]), st.booleans())
def test_rrn_with_check_digit_is_redacted(rrn, prefix, label, hyphen):
    red = KoreanPiiRedactor(today=TODAY)
    value = f"{rrn[:6]}-{rrn[6:]}" if hyphen else rrn
    new, counts = red.redact_text(f"{prefix}{label}{value} 입니다.")
    assert value not in new and PLACEHOLDERS["rrn"] in new
    assert counts == {"rrn": 1}


@given(registration(checksum=False), KOREAN)
def test_rrn_failed_check_digit_does_not_clear_a_hyphenated_number(rrn, prefix):
    red = KoreanPiiRedactor(today=TODAY)
    value = f"{rrn[:6]}-{rrn[6:]}"
    new, counts = red.redact_text(f"{prefix}{value} 입니다.")
    assert value not in new and counts == {"rrn": 1}


@given(registration(checksum=False), st.sampled_from(["코드 ", "제 번호는 ", ""]))
def test_rrn_bare_failed_check_digit_is_still_redacted(rrn, prefix):
    red = KoreanPiiRedactor(today=TODAY)
    counts = red.redact_text(f"{prefix}{rrn} 확인")[1]
    assert counts == {"rrn": 1}  # never a 13-digit card reading, even when it passes Luhn
    assert red.redact_text(f"주민번호 {rrn} 확인")[1] == {"rrn": 1}


@given(registration())
def test_other_number_label_clears_even_a_valid_check_digit(rrn):
    red = KoreanPiiRedactor(today=TODAY)
    for label in ("주문번호", "바코드", "예약번호:"):
        assert "rrn" not in red.redact_text(f"{label} {rrn[:6]}-{rrn[6:]}")[1]
    # a label that belongs to another number (digits in between) does not
    assert red.redact_text(f"주문번호 12345 고객 {rrn[:6]}-{rrn[6:]}")[1] == {"rrn": 1}


@given(registration(checksum=False))
def test_rrn_shaped_order_number_with_failed_check_digit_is_kept(rrn):
    red = KoreanPiiRedactor(today=TODAY)
    text = f"주문번호 {rrn[:6]}-{rrn[6:]} 배송 준비 중"
    assert red.redact_text(text) == (text, {})


@given(registration(foreigner=True), st.booleans())
def test_frn_is_its_own_type(frn, checksum_ok):
    red = KoreanPiiRedactor(today=TODAY)
    if not checksum_ok:
        frn = frn[:12] + str((int(frn[12]) + 1) % 10)
    new, counts = red.redact_text(f"외국인등록번호 {frn[:6]}-{frn[6:]}")
    assert counts == {"frn": 1} and PLACEHOLDERS["frn"] in new


def test_rrn_with_impossible_date_is_not_an_rrn(red):
    assert only(red, "번호 901301-1234567 입니다") == []
    assert only(red, "번호 900230-1234567 입니다") == []


def test_masked_rrn_still_shows_birth_date_and_is_redacted(red):
    assert only(red, "주민번호 900101-1****** 확인") == [("rrn", "900101-1******")]


@given(phones(), KOREAN, st.sampled_from(["", "이고", "로 연락", ", ", "."]))
def test_phone_forms_are_redacted(phone, prefix, suffix):
    red = KoreanPiiRedactor(today=TODAY)
    text = f"{prefix}{phone}{suffix}"
    assert only(red, text) == [("phone", phone)]


@pytest.mark.parametrize("text", ["고객센터 1588-1234", "대표번호 1644-0000", "1800-1234 로 문의", "080-123-4567 무료", "060-700-1234"])
def test_business_and_toll_free_numbers_are_kept(red, text):
    assert red.redact_text(text) == (text, {})


@pytest.mark.parametrize("text", ["모델 SM-010-1234-5678", "2019-02-123-4567", "코드 A010-1234-5678"])
def test_phone_like_product_codes_are_kept(red, text):
    assert [t for t, _ in only(red, text)] == []


@given(
    st.from_regex(r"[a-z][a-z0-9._]{2,12}[a-z0-9]", fullmatch=True),
    st.sampled_from(["naver.com", "daum.net", "hanmail.net", "kakao.com", "nate.com", "korea.kr", "snu.ac.kr", "example.co.kr"]),
    st.sampled_from(["", "으로", " 로", "."]),
)
def test_email_with_korean_portals(local, domain, suffix):
    red = KoreanPiiRedactor(today=TODAY)
    text = f"메일 {local}@{domain}{suffix} 보내주세요"
    assert only(red, text) == [("email", f"{local}@{domain}")]


def test_email_obfuscated_and_full_width(red):
    assert only(red, "hong(at)naver.com") == [("email", "hong(at)naver.com")]
    assert only(red, "hong＠daum.net") == [("email", "hong＠daum.net")]
    assert only(red, "이미지 logo@2x.png 파일") == []


@example(card="4001-1000-0000-3", prefix="안녕하세요. ")  # its 13 digits also read as an RRN date: grouped 4-4-4-1 it is a card
@given(cards(), KOREAN)
def test_card_numbers_with_luhn_are_redacted(card, prefix):
    # 13 bare digits that read as a registration number's birth date are read as one (13-digit
    # Visa numbers are no longer issued); grouped, they are a card (the example above).
    assume(not (card.isdigit() and len(card) == 13 and registration_birth_date(card, dt.date.fromisoformat(TODAY))))
    red = KoreanPiiRedactor(today=TODAY)
    assert only(red, f"{prefix}카드 {card} 결제") == [("card", card)]


@given(cards())
def test_card_numbers_failing_luhn_are_not_cards(card):
    red = KoreanPiiRedactor(today=TODAY)
    last = card[-1]
    broken = card[:-1] + str((int(last) + 1) % 10)
    assert "card" not in [t for t, _ in only(red, f"번호 {broken} 확인")]


@pytest.mark.parametrize(
    "number",
    ["123456-12-123456", "110-123-456789", "1002-123-456789", "3333-12-1234567", "301-1234-5678-11", "9002-12-345678-9", "12345678901234"],
)
def test_account_needs_a_context_word(red, number):
    assert only(red, f"국민은행 계좌 {number} 예금주 홍길동") == [("account", number), ("name", "홍길동")]
    assert only(red, f"입금: {number}") == [("account", number)]
    assert [t for t, _ in only(red, f"상품 번호 {number} 입니다")] != ["account"]


def test_account_context_loses_to_a_closer_other_label(red):
    assert only(red, "계좌 안내는 생략합니다. 주문번호 123456-12-123456") == []
    assert only(red, "입금 계좌 안내, 바코드 8801234567891") == []
    assert only(red, "계좌 110-123-456789 수신자부담 080-123-4567") == [("account", "110-123-456789")]


@pytest.mark.parametrize("value", ["M12345678", "S98765432", "M123A4567", "R001B2345"])
def test_passport_needs_context(red, value):
    assert only(red, f"여권번호 {value} 입니다") == [("passport", value)]
    assert only(red, f"부품 {value} 입니다") == []


@pytest.mark.parametrize("value", ["11-12-123456-12", "28-05-654321-01", "서울 08-123456-78", "경기북부 19-000001-11"])
def test_driver_license_forms(red, value):
    assert only(red, f"면허 {value} 확인") == [("driver_license", value)]


def test_driver_license_bare_needs_context_and_region(red):
    assert only(red, "운전면허번호 111212345612") == [("driver_license", "111212345612")]
    assert only(red, "번호 271212345612 확인") == []


@given(brns())
def test_brn_is_kept_by_default_and_counted(brn):
    keep = KoreanPiiRedactor(today=TODAY)
    text = f"사업자등록번호 {brn} (주)한국"
    assert keep.redact_text(text) == (text, {"brn": 1})
    new, counts = KoreanPiiRedactor(actions={"brn": "redact"}, today=TODAY).redact_text(text)
    assert brn not in new and PLACEHOLDERS["brn"] in new and counts == {"brn": 1}


@given(brns(), st.integers(1, 9))
def test_brn_needs_its_check_digit(brn, delta):
    red = KoreanPiiRedactor(today=TODAY)
    broken = brn[:-1] + str((int(brn[-1]) + delta) % 10)
    assert "brn" not in [t for t, _ in only(red, f"사업자번호 {broken}")]


@pytest.mark.parametrize("ip", ["211.45.67.89", "8.26.56.26", "2001:4860:4860::8888", "2406:da12:b6c:1f00::1"])
def test_public_ips_are_redacted(red, ip):
    assert only(red, f"접속 IP {ip} 에서") == [("ip", ip)]


@pytest.mark.parametrize("ip", ["192.168.0.1", "10.1.2.3", "127.0.0.1", "172.16.5.4", "::1", "fe80::1"])
def test_private_ips_are_kept(red, ip):
    assert only(red, f"접속 IP {ip} 에서") == []


@pytest.mark.parametrize(
    "text",
    [
        "2023-10-15 에 발표", "2023.10.15. 기준", "23.10.15", "가격은 1,234,000원", "₩15,000",
        "ISBN 978-89-12345-67-8", "ISBN 9788912345678", "12:30:45 에 시작", "버전 1.2.3.4", "v2.10.3.1 릴리스",
        "1588-1234", "제 3조 2항", "인구 51,780,000명", "바코드 8801234567890",
    ],
)
def test_hard_negatives_are_not_pii(red, text):
    assert only(red, text) == []


# ---------------------------------------------------------------- text-level properties

PII_VALUES = st.one_of(
    registration().map(lambda r: f"{r[:6]}-{r[6:]}"), phones(), cards(), st.sampled_from(["hong@naver.com", "kim.s@daum.net"])
)


@given(st.lists(st.tuples(KOREAN, PII_VALUES), min_size=1, max_size=4))
def test_redacted_text_has_no_values_and_redaction_is_idempotent(parts):
    red = KoreanPiiRedactor(today=TODAY)
    text = " ".join(p + v for p, v in parts)
    new, counts = red.redact_text(text)
    for _, value in parts:
        assert value not in new
    assert sum(counts.values()) == len(parts)
    assert red.redact_text(new) == (new, {})


# ---------------------------------------------------------------- step contract


def _batch(texts):
    return rows_to_batch(
        [{"doc_id": f"d{i}", "source": "s", "text": t} for i, t in enumerate(texts)], DOCUMENT_SCHEMA
    )


def test_apply_sets_text_counts_and_drop_verdicts():
    red = KoreanPiiRedactor(actions={"card": "drop"}, today=TODAY)
    texts = [
        "평범한 문장입니다.",
        "연락처 010-1234-5678, 카드 4111-1111-1111-1111",
        None,
        "사업자등록번호 220-81-62517",
        "전화 02-123-4567 또는 02-765-4321",
    ]
    res = red.apply(_batch(texts))
    out = res.batch.column("text").to_pylist()
    counts = [dict(c) for c in res.batch.column("pii_counts").to_pylist()]
    assert out[0] == texts[0] and out[2] is None and out[3] == texts[3]
    assert out[1] == "연락처 <|tel|>, 카드 <|card|>"
    assert out[4] == "전화 <|tel|> 또는 <|tel|>"
    assert counts == [{}, {"phone": 1, "card": 1}, {}, {"brn": 1}, {"phone": 2}]
    assert list(res.verdicts) == [None, Reject("pii_card", "1"), None, None, None]
    assert res.batch.schema.field("pii_counts").type == DOCUMENT_SCHEMA.field("pii_counts").type
    assert res.batch.num_rows == len(texts)


WEB_FORMS = st.sampled_from(
    [
        "０１０－１２３４－５６７８", "전화 공일공 일이삼사 오육칠팔", "hong 골뱅이 naver 닷컴", "kim at daum dot net", "hong (at) korea.kr",
        "서울 강남구 테헤란로 123, 4층", "역삼동 123-45번지", "101동 1203호", "예금주 홍길동", "성명: 김철수", "02)123-4567",
        "주소: 중앙로 45", "Ｍ１２３４５６７８ 여권", "２１１．４５．６７．８９", "010\u00ad1234\u00ad5678",
    ]
)


@settings(max_examples=50)
@given(st.lists(st.tuples(KOREAN, st.one_of(st.just(""), PII_VALUES, brns(), st.just("192.168.0.1"), WEB_FORMS)), max_size=12))
def test_batch_path_equals_row_path(rows):
    """The vectorised pre-screen never skips a document that has a detection."""
    red = KoreanPiiRedactor(actions={"brn": "redact"}, today=TODAY)
    texts = [p + v for p, v in rows]
    res = red.apply(_batch(texts))
    expected = [red.redact_text(t) for t in texts]
    assert res.batch.column("text").to_pylist() == [e[0] for e in expected]
    assert [dict(c) for c in res.batch.column("pii_counts").to_pylist()] == [e[1] for e in expected]


def test_from_config_reads_actions_and_rejects_unknown_keys():
    r = KoreanPiiRedactor.from_config({"actions": {"rrn": "drop", "brn": "redact"}, "context_chars": 16})
    assert r.actions["rrn"] == "drop" and r.actions["brn"] == "redact" and r.actions["phone"] == "redact"
    assert r.context_chars == 16
    assert r.describe()["actions"]["rrn"] == "drop"
    with pytest.raises(ValueError, match="unknown PII type"):
        KoreanPiiRedactor.from_config({"actions": {"ssn": "redact"}})
    with pytest.raises(ValueError, match="must be one of"):
        KoreanPiiRedactor.from_config({"actions": {"rrn": "mask"}})
    with pytest.raises(ValueError, match="unknown key"):
        KoreanPiiRedactor.from_config({"window": 3})


def test_context_disabled_turns_off_context_only_types():
    r = KoreanPiiRedactor(context_chars=None, today=TODAY)
    assert r.detect("국민은행 계좌 110-123-456789, 여권 M12345678") == []
    assert [d.type for d in r.detect("010-1234-5678")] == ["phone"]


# ---------------------------------------------------------------- overlaps and labels


def test_nineteen_digit_card_in_five_groups_is_read_whole(red):
    payload = "417934304329014890"
    card = payload + str(luhn_check_digit(payload))
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    assert only(red, f"카드번호 {grouped} 로 결제") == [("card", grouped)]


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_labelled_account_beats_a_bare_card_reading(payload):
    red = KoreanPiiRedactor(today=TODAY)
    number = "4" + payload[1:] + str(luhn_check_digit("4" + payload[1:]))
    assert only(red, f"통장 {number} 으로 보내 주세요") == [("account", number)]


def test_a_label_of_the_next_number_does_not_label_this_one(red):
    assert only(red, "No. 57505965520 신한은행 110-123-456789") == [("account", "110-123-456789")]


def test_person_words_are_not_other_number_labels(red):
    text = "모델 전수민과 6월27일 결혼 190410-8710880"
    assert only(red, text) == [("frn", "190410-8710880")]


@given(brns())
def test_labelled_brn_beats_an_account_reading(brn):
    red = KoreanPiiRedactor(today=TODAY)
    assert only(red, f"많은행운이 찾아오길 바랍니다 사업자등록번호 {brn}") == [("brn", brn)]


def test_a_word_inside_a_phrase_is_not_an_order_label(red):
    assert only(red, "방송 후 주문 폭주 28-45-810651-45 입니다") == [("driver_license", "28-45-810651-45")]

"""Contact names: after a contact label or beside a contact value; public figures and prose stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor
from kocorpus.filters import pii_names as PN
from kocorpus.filters.pii_names import DOUBLE_SURNAMES, is_name, name_end

TODAY = "2025-06-30"


@pytest.fixture(scope="module")
def red():
    return KoreanPiiRedactor(actions={t: "redact" for t in PII_TYPES}, today=TODAY)


def only(r, text):
    return [(d.type, text[d.start : d.end]) for d in r.detect(text)]


@pytest.mark.parametrize(
    "text, name",
    [
        ("성명: 홍길동", "홍길동"), ("성명 : 김철수 (남)", "김철수"), ("예금주 이영희", "이영희"), ("예금주(박민수)", "박민수"),
        ("받는 사람: 최지우", "최지우"), ("받는분 정하늘", "정하늘"), ("신청인 강민준", "강민준"), ("보호자 윤서연 님", "윤서연"),
        ("담당자 장동건 과장", "장동건"), ("이름: 남궁민수", "남궁민수"), ("제 이름은 홍길동입니다", "홍길동"),
        ("수취인 김구", "김구"), ("이름=황보석", "황보석"), ("담당자: 김지은", "김지은"), ("받으시는 분: 김선주", "김선주"),
        ("보내시는 분 오선정", "오선정"), ("성함 최서연 님", "최서연"), ("성명: 제갈하은 님", "제갈하은"),
    ],
)
def test_names_after_contact_labels(red, text, name):
    assert only(red, text) == [("name", name)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("홍길동 010-1234-5678", [("name", "홍길동"), ("phone", "010-1234-5678")]),
        ("홍길동(010-1234-5678)", [("name", "홍길동"), ("phone", "010-1234-5678")]),
        ("김철수 과장 010-1234-5678", [("name", "김철수"), ("phone", "010-1234-5678")]),
        ("010-1234-5678 (김철수)", [("phone", "010-1234-5678"), ("name", "김철수")]),
        ("연락처 010-1234-5678 이영희", [("phone", "010-1234-5678"), ("name", "이영희")]),
        ("신한은행 110-123-456789 박민수", [("account", "110-123-456789"), ("name", "박민수")]),
        ("문의 김민수 kms@naver.com", [("name", "김민수"), ("email", "kms@naver.com")]),
        ("정수진 / 서울 강남구 테헤란로 123", [("name", "정수진"), ("address", "123")]),
        # given names made of popular-name syllables, not themselves on the popular list
        ("김예주 010-1234-5678", [("name", "김예주"), ("phone", "010-1234-5678")]),
        ("H.P 010-9599-2473 황지윤.", [("phone", "010-9599-2473"), ("name", "황지윤")]),
        ("카카오뱅크 3333-76-2359520 / 이주아.", [("account", "3333-76-2359520"), ("name", "이주아")]),
        # the word after an account number is its holder, even with more text after it
        ("케이뱅크 100-353-196866 윤서진 오후 5시까지", [("account", "100-353-196866"), ("name", "윤서진")]),
    ],
)
def test_names_beside_contact_values(red, text, expected):
    assert only(red, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("문재인 대통령은 오늘 기자회견을 열었다", []),
        ("홍길동 기자 = 정부는 오늘", []),
        ("홍길동 기자 hong@yna.co.kr", [("email", "hong@yna.co.kr")]),
        ("(서울=연합뉴스) 홍길동 기자 = 내용 hong@yna.co.kr", [("email", "hong@yna.co.kr")]),
        ("김철수 교수 010-1234-5678", [("phone", "010-1234-5678")]),
        ("010-1234-5678 오늘 연락 주세요", [("phone", "010-1234-5678")]),
        ("010-1234-5678 로 문자 주세요", [("phone", "010-1234-5678")]),
        ("연락처 010-1234-5678", [("phone", "010-1234-5678")]),
        ("그 이름 하나만으로 충분하다", []),
        ("내 이름은 소취.", []),
        ("성명서를 발표했다", []),
        ("이름 변경 방법", []),
        ("담당자 배정 중입니다", []),
        ("받는 분 주소를 적어 주세요", []),
        ("신한은행 110-123-456789 입금 확인", [("account", "110-123-456789")]),
        ("010-1234-5678 이서영 (작가)", [("phone", "010-1234-5678")]),
        ("010-1234-5678 / 반면 오늘은", [("phone", "010-1234-5678")]),
        ("신한은행 110-123-456789 (신한)", [("account", "110-123-456789")]),
        ("서울 강남구 테헤란로 123 (신림동)", [("address", "123")]),
        # office words are not names: their syllables are not given-name syllables
        ("상담실 02-123-4567", [("phone", "02-123-4567")]),
        ("민원실 02-123-4567", [("phone", "02-123-4567")]),
        ("사무실 010-1234-5678", [("phone", "010-1234-5678")]),
        # a word with its particle, and a person described in a news quote
        ("신한은행 110-123-456789 사진이 보여도", [("account", "110-123-456789")]),
        ("010-1234-5678 이상원(인천대 교수)", [("phone", "010-1234-5678")]),
        # after an e-mail address only a popular given name itself
        ("메일 hong@naver.com 정우성..", [("email", "hong@naver.com")]),
    ],
)
def test_public_figures_prose_and_function_words_stay(red, text, expected):
    assert only(red, text) == expected


@settings(deadline=None)
@given(st.sampled_from(["김", "이", "박", "최", "정", "강", "조", "윤"]), st.sampled_from(["민준", "서연", "지훈", "영희", "철수", "수진", "하늘", "도윤"]), st.sampled_from(["", "입니다", "님", "씨", "이고", "님께", "의"]))
def test_a_glued_particle_is_not_part_of_the_name(surname, given_name, suffix):
    name = surname + given_name
    text = f"예금주 {name}{suffix} 확인"
    start = text.index(name)
    assert name_end(text, start) == start + len(name)


def test_name_shape():
    assert is_name("홍길동") and is_name("김구") and is_name("남궁민수") and is_name("선우용")
    assert not is_name("신한은행") and not is_name("정보") and not is_name("홍") and not is_name("스미스")
    assert all(len(s) == 2 for s in DOUBLE_SURNAMES)


def test_name_counts_and_keep_action():
    keep = KoreanPiiRedactor(actions={"name": "keep"}, today=TODAY)
    assert keep.redact_text("예금주 홍길동") == ("예금주 홍길동", {"name": 1})
    red = KoreanPiiRedactor(today=TODAY)
    assert red.redact_text("예금주 홍길동, 신한은행 110-123-456789") == ("예금주 <|name|>, 신한은행 <|acc|>", {"name": 1, "account": 1})


_LABEL_PIECES = st.sampled_from(sorted(PN.NAME_LABELS) + ["홍길동", " ", ": ", "(", "은 ", "는 ", "가", "010", "님"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_LABEL_PIECES, min_size=1, max_size=10).map("".join))
def test_label_scan_from_keys_finds_what_a_full_scan_finds(text):
    """after_labels tries a label only where a label key starts: the same labels as LABEL.finditer."""
    full = [m.span() for m in PN.LABEL.finditer(text)]
    keys = {m.start() for i in range(len(text)) if (m := PN._LABEL_KEY.match(text, i))}
    assert all(a in keys for a, _ in full)
    from_keys, done = [], 0
    for a in sorted(keys):
        if a >= done and (m := PN.LABEL.match(text, a)):
            from_keys.append(m.span())
            done = m.end()
    assert from_keys == full

"""Street addresses: the building number and below are redacted, the region and road name stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.filters.pii import PII_TYPES, KoreanPiiRedactor
from kocorpus.filters.pii_address import SIGUNGU, SIDO

TODAY = "2025-06-30"


@pytest.fixture(scope="module")
def red():
    return KoreanPiiRedactor(actions={t: "redact" for t in PII_TYPES}, today=TODAY)


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("서울특별시 강남구 테헤란로 123, 4층", "서울특별시 강남구 테헤란로 <|addr|>"),
        ("서울특별시 강남구 테헤란로 123, 4층 (역삼동)", "서울특별시 강남구 테헤란로 <|addr|> (역삼동)"),
        ("서울 강남구 테헤란로 123", "서울 강남구 테헤란로 <|addr|>"),
        ("강남구 테헤란로 123에 있는 사무실", "강남구 테헤란로 <|addr|>에 있는 사무실"),
        ("경기도 성남시 분당구 판교역로 235 에이치스퀘어 N동 5층", "경기도 성남시 분당구 판교역로 <|addr|>"),
        ("마포구 월드컵북로 12길 34 래미안아파트 101동 1203호", "마포구 월드컵북로 12길 <|addr|>"),
        ("용산구 이태원로27길 10", "용산구 이태원로27길 <|addr|>"),
        ("부산광역시 해운대구 센텀중앙로 79, 지하 1층", "부산광역시 해운대구 센텀중앙로 <|addr|>"),
        ("세종특별자치시 한누리대로 2130", "세종특별자치시 한누리대로 <|addr|>"),
        ("서울 중구 세종대로 지하 2", "서울 중구 세종대로 <|addr|>"),
        ("경기도 양평군 양평읍 양근리 123-4번지", "경기도 양평군 양평읍 양근리 <|addr|>"),
        ("서울 종로구 청운동 52-3 2층", "서울 종로구 청운동 <|addr|>"),
        ("중구 을지로3가 12-3", "중구 을지로3가 <|addr|>"),
        ("역삼동 123-45번지", "역삼동 <|addr|>"),
        ("제주시 애월읍 애월리 산 12-1", "제주시 애월읍 애월리 <|addr|>"),
        ("주소: 중앙로 45", "주소: 중앙로 <|addr|>"),
        ("배송지 마장로 12길 5, 301호", "배송지 마장로 12길 <|addr|>"),
        ("래미안 101동 1203호 거주", "래미안 <|addr|> 거주"),
        ("서울특별시 강남구 테헤란로 123, 4층", "서울특별시 강남구 테헤란로 <|addr|>"),
        ("서울특별시　강남구　테헤란로　１２３", "서울특별시　강남구　테헤란로　<|addr|>"),
    ],
)
def test_addresses_keep_the_region_and_redact_the_building(red, text, redacted):
    new, counts = red.redact_text(text)
    assert new == redacted
    assert counts.get("address") == 1


@pytest.mark.parametrize(
    "text",
    [
        "테헤란로 일대", "강남구 테헤란로 일대에서 집회가 열렸다", "세종대로 사거리", "강남대로에서 교통사고", "강변북로 3개 차로 통제",
        "올림픽대로 2km 구간", "남부순환로 10시부터", "강남구 역삼동 일대", "서초구 서초동 1700여 가구", "마포구 상암동 2002년 월드컵",
        "중앙로 45", "테헤란로 123", "강남구 활동 10 건", "경부고속도로 서울요금소", "서울 지하철 2호선", "강남역 11번 출구",
        "송파구 잠실동에서 3명", "종로 3가 역", "제 3동 주민센터", "이태원로 27길 일대", "세종로 2024.03.15",
    ],
)
def test_places_that_are_not_a_home_address_are_kept(red, text):
    assert red.redact_text(text) == (text, {})


@settings(deadline=None)
@given(st.sampled_from(SIDO[:19]), st.sampled_from(SIGUNGU), st.sampled_from(["테헤란로", "중앙로", "월드컵북로 12길", "한누리대로"]), st.integers(1, 999), st.sampled_from(["", "-12", ", 4층", " 101동 1203호", ", 지하 1층"]))
def test_every_district_of_the_gazetteer_makes_an_address(sido, sgg, road, number, detail):
    red = KoreanPiiRedactor(today=TODAY)
    text = f"{sido} {sgg} {road} {number}{detail}"
    new, counts = red.redact_text(f"택배는 {text}로 보내 주세요")
    assert counts == {"address": 1}
    assert new == f"택배는 {sido} {sgg} {road} <|addr|>로 보내 주세요"


def test_address_action_and_counts():
    text = "받는 곳: 서울 강남구 테헤란로 123"
    keep = KoreanPiiRedactor(actions={"address": "keep"}, today=TODAY)
    assert keep.redact_text(text) == (text, {"address": 1})
    drop = KoreanPiiRedactor(actions={"address": "drop"}, today=TODAY)
    assert drop.verdict(drop.redact_text(text)[1]).reason == "pii_address"

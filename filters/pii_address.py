"""Korean street addresses: which part of an address identifies a home, and where it is.

An address is redacted from the building number down; the region stays, so text about
places keeps its meaning:

- 도로명주소: ``[시/도] 시/군/구 [읍/면] road(로/길) building-number[, detail]``;
  ``서울특별시 강남구 테헤란로 123, 4층`` -> ``서울특별시 강남구 테헤란로 <|addr|>``;
- 지번주소: ``[시/도] 시/군/구 [읍/면] 동/리/N가 lot-number[번지][ detail]``;
  ``경기도 양평군 양평읍 양근리 123-4번지`` -> ``... 양근리 <|addr|>``;
- a complex's unit, ``101동 1203호``, on its own.

The detail is what follows the number and locates a home in the building: ``N동``,
``N호``, ``N층``, ``지하 N층``, ``B동 N호``, optionally after a building name
(``래미안아파트 101동 1203호``). A parenthesised reference (``(역삼동, 래미안아파트)``)
names the area and is kept.

What counts: a road with a building number counts when a 시/군/구 (from the gazetteer
below) or a 시/도 comes before it, or an address label (주소, 배송지, 거주지...) labels it;
a lot number counts after a 동/리 with a 시/군/구 or 시/도 before it, or with 번지, or
with a label. A road name alone is not personal (``테헤란로 일대``, ``강남대로에서``), nor
is a number that is not a building number (``강변북로 3개 차로``, ``올림픽대로 2km``,
``1700여 가구``, ``27길`` as part of a road name): after the number only a particle,
번지, punctuation, a space or the end may follow.

Spans are offsets in the (folded) text given; the finder knows nothing about labels
beyond the callable it is given.
"""

from __future__ import annotations

import re
from typing import Callable

from kocorpus.filters.pattern_lists import trie_alternation

#: 시/도, full and short names.
SIDO: tuple[str, ...] = (
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시", "세종특별자치시",
    "경기도", "강원도", "강원특별자치도", "충청북도", "충청남도", "전라북도", "전북특별자치도", "전라남도", "경상북도",
    "경상남도", "제주특별자치도", "제주도",
    "서울", "서울시", "부산", "부산시", "대구", "대구시", "인천", "인천시", "광주", "대전", "대전시", "울산", "울산시",
    "세종", "세종시", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
)

_SEOUL = "종로구 중구 용산구 성동구 광진구 동대문구 중랑구 성북구 강북구 도봉구 노원구 은평구 서대문구 마포구 양천구 강서구 구로구 금천구 영등포구 동작구 관악구 서초구 강남구 송파구 강동구"
_METRO = (
    "서구 동구 남구 북구 영도구 부산진구 동래구 해운대구 사하구 금정구 연제구 수영구 사상구 기장군 "
    "수성구 달서구 달성군 군위군 미추홀구 연수구 남동구 부평구 계양구 강화군 옹진군 광산구 유성구 대덕구 울주군"
)
_GYEONGGI = (
    "수원시 장안구 권선구 팔달구 영통구 성남시 수정구 중원구 분당구 의정부시 안양시 만안구 동안구 부천시 원미구 소사구 오정구 "
    "광명시 평택시 동두천시 안산시 상록구 단원구 고양시 덕양구 일산동구 일산서구 과천시 구리시 남양주시 오산시 시흥시 군포시 "
    "의왕시 하남시 용인시 처인구 기흥구 수지구 파주시 이천시 안성시 김포시 화성시 광주시 양주시 포천시 여주시 연천군 가평군 양평군"
)
_GANGWON = "춘천시 원주시 강릉시 동해시 태백시 속초시 삼척시 홍천군 횡성군 영월군 평창군 정선군 철원군 화천군 양구군 인제군 고성군 양양군"
_CHUNG = (
    "청주시 상당구 서원구 흥덕구 청원구 충주시 제천시 보은군 옥천군 영동군 증평군 진천군 괴산군 음성군 단양군 "
    "천안시 동남구 서북구 공주시 보령시 아산시 서산시 논산시 계룡시 당진시 금산군 부여군 서천군 청양군 홍성군 예산군 태안군"
)
_JEOLLA = (
    "전주시 완산구 덕진구 군산시 익산시 정읍시 남원시 김제시 완주군 진안군 무주군 장수군 임실군 순창군 고창군 부안군 "
    "목포시 여수시 순천시 나주시 광양시 담양군 곡성군 구례군 고흥군 보성군 화순군 장흥군 강진군 해남군 영암군 무안군 "
    "함평군 영광군 장성군 완도군 진도군 신안군"
)
_GYEONGSANG = (
    "포항시 경주시 김천시 안동시 구미시 영주시 영천시 상주시 문경시 경산시 의성군 청송군 영양군 영덕군 청도군 고령군 "
    "성주군 칠곡군 예천군 봉화군 울진군 울릉군 창원시 의창구 성산구 마산합포구 마산회원구 진해구 진주시 통영시 사천시 "
    "김해시 밀양시 거제시 양산시 의령군 함안군 창녕군 남해군 하동군 산청군 함양군 거창군 합천군"
)
_JEJU = "제주시 서귀포시"
#: 시/군/구 (and the 구 of large cities), as of 2024.
SIGUNGU: tuple[str, ...] = tuple(
    dict.fromkeys(" ".join((_SEOUL, _METRO, _GYEONGGI, _GANGWON, _CHUNG, _JEOLLA, _GYEONGSANG, _JEJU)).split())
)

#: Words that label an address: with one, a road and building number alone count.
ADDRESS_LABELS: tuple[str, ...] = (
    "주소", "거주지", "자택", "배송지", "현주소", "집 주소", "사는 곳", "받는 곳", "소재지", "도로명", "지번", "address",
)


_B = r"(?<![가-힣A-Za-z0-9])"  # a word starts here
_REGION = rf"(?:{_B}(?P<sido>{trie_alternation(SIDO)})[ ]+)?(?:{_B}(?P<sgg>{trie_alternation(SIGUNGU)})[ ]+(?:(?:{trie_alternation(SIGUNGU)})[ ]+)?)?(?:{_B}[가-힣]{{1,6}}[읍면][ ]+)?"
#: What may follow a building or lot number: the end, a non-word character, a particle, 번지.
_FOLLOW = r"(?![0-9]|[-.][0-9])(?=$|[^가-힣A-Za-z0-9]|번지|에|의|으로|로|와|과|은|는|이|을|를|도|까지|부터)"

#: Candidate building number after a road name's last character (로/길).
ROAD_NUMBER = re.compile(r"[로길][ ]?(?P<num>(?:지하[ ]?)?[0-9]{1,4}(?:-[0-9]{1,4})?)" + _FOLLOW)
#: The region and road name ending right before a building number (searched in a window, anchored at its end).
ROAD_BEFORE = re.compile(_REGION + rf"{_B}(?P<road>[가-힣A-Za-z0-9]{{1,20}}(?:로|길)(?:[ ]?[0-9]{{1,4}}번?(?:길|가길))?)$")
#: Candidate lot number after a 동/리/N가.
LOT_NUMBER = re.compile(r"[동리가][ ]?(?P<num>(?:산[ ]?)?[0-9]{1,4}(?:-[0-9]{1,4})?)(?P<bunji>[ ]?번지)?" + _FOLLOW)
#: The region and 동/리 name ending right before a lot number.
LOT_BEFORE = re.compile(_REGION + rf"{_B}(?P<dong>[가-힣]{{1,8}}[0-9]{{0,2}}(?:동|리)|[가-힣]{{1,8}}[0-9]{{1,2}}가)$")

#: Common nouns ending in 동/리 that are not 동/리 names (활동 10건, 거리 100곳 after a 구).
NOT_DONG: frozenset[str] = frozenset(
    "활동 운동 행동 이동 자동 공동 감동 노동 출동 변동 작동 충동 발동 연동 가동 소동 폭동 선동 난동 약동 진동 "
    "거리 관리 처리 정리 논리 권리 요리 우리 무리 수리 소리 머리 자리 다리 유리 원리 심리 승리 의리 진리 총리 "
    "경리 금리 분리 편리 대리 교리 고리 꼬리 마리 도리 보리 오리 미리 윤리 물리 지리 추리 합리 조리 차리".split()
)

_ITEM = (
    r"(?:(?:지하[ ]?|B)?[0-9]{1,3}[ ]?층|[0-9]{1,4}[ ]?동|(?:[A-Za-z]|가|나|다|라|마|바|사)[ ]?동(?=[ ]?(?:[0-9]{1,5}[ ]?호|(?:지하[ ]?|B)?[0-9]{1,3}[ ]?층))"
    r"|[A-Za-z]?[0-9]{1,5}(?:-[0-9]{1,4})?[ ]?호)(?![0-9A-Za-z])"
)
#: Detail after the number: items (N동, N호, N층), optionally after a building name.
DETAIL = re.compile(rf"(?:[ ]*,[ ]*|[ ]+)(?:[가-힣A-Za-z0-9]{{2,20}}[ ]+)?{_ITEM}(?:(?:[ ]*,[ ]*|[ ]+)?{_ITEM}){{0,3}}")
#: A complex's unit on its own: 101동 1203호.
UNIT = re.compile(r"[0-9](?<![0-9][0-9])[0-9]{1,3}[ ]?동[ ]?[0-9]{3,4}[ ]?호(?![0-9])")

#: Every address has one of these: a building or lot number after its road or 동, or a unit (N동 N호).
_HINT = re.compile("[로길동리가산하][ ]?[0-9]")  # faster than digit first with lookbehinds, on PII-dense and plain text alike
_WINDOW = 80  # characters searched before a number for its region and road name
_NOT_IN_ADDRESS = re.compile("[^가-힣A-Za-z0-9 ]")


class AddressFinder:
    """Street addresses in a text: the spans to redact (building or lot number and detail).

    Args:
        window: characters searched before a number for its region and road or 동 name.
    """

    def __init__(self, window: int = _WINDOW):
        self.window = window

    def find(self, text: str, labelled: Callable[[int, int], bool]) -> list[tuple[int, int, int]]:
        """``(start, end, region_start)`` per address, in text order, possibly overlapping (the caller resolves).

        ``text[start:end]`` is redacted; ``text[region_start:start]`` is the region and road
        (or 동) name that stays. ``labelled(region_start, end)`` says whether an address label
        labels the address ``text[region_start:end]``.
        """
        out: list[tuple[int, int, int]] = []
        if not _HINT.search(text):
            return out
        for pattern, before, region_needed in ((ROAD_NUMBER, ROAD_BEFORE, False), (LOT_NUMBER, LOT_BEFORE, True)):
            for m in pattern.finditer(text):
                a, b = m.span("num")
                head = text[max(0, m.start() - self.window) : m.start() + 1]
                # A region and road name hold only Hangul, ASCII letters, digits and spaces: the
                # search starts after the last other character (found in the reversed head).
                stop = _NOT_IN_ADDRESS.search(head[::-1])
                r = before.search(head, len(head) - stop.start() if stop else 0)
                if r is None:
                    continue
                region = r.group("sgg") or r.group("sido")
                left = m.start() + 1 - len(head) + r.start()
                if region_needed:
                    if r.group("dong") in NOT_DONG:
                        continue  # a 동/리 and a number: a region, 번지 or a label says it is a lot
                    ok = bool(region or m.group("bunji")) or labelled(left, b)
                    b = m.end("bunji") if m.group("bunji") else b
                else:
                    if r.group("road").endswith("으로"):
                        continue  # a particle (쪽으로), not a road name
                    ok = bool(region) or labelled(left, b)
                if ok:
                    d = DETAIL.match(text, b)
                    out.append((a, d.end() if d else b, left))
        out.extend((m.start(), m.end(), m.start()) for m in UNIT.finditer(text))
        out.sort()
        return out

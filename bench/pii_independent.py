"""Independent PII comparison set: values, labels and hard negatives written from public format
descriptions, without the redactor's rules.

This module imports nothing from ``kocorpus.filters`` (tests/bench/test_pii_independent.py parses
its imports): its generators, check digits, label phrases, district and road lists, names and
hard negatives are its own, so a score on it is not true by construction. It shares with the
redactor only the type names (the placeholders' keys) so that one scorer reads both.

Formats, from their public descriptions:

- 주민등록번호 (RRN): ``YYMMDD-SBBBBNC``; S = 1/2 (born 1900s), 3/4 (2000s), 9/0 (1800s);
  before October 2020 digits 8-11 were the registering office, N an order number and C the
  check digit ``(11 - sum(d_i * w_i) mod 11) mod 10`` with weights 2,3,4,5,6,7,8,9,2,3,4,5;
  since then the six digits after S are random.
- 외국인등록번호 (FRN): same layout, S = 5/6 (1900s), 7/8 (2000s); digit 12 was 6-9 and the
  check digit ``(13 - sum mod 11) mod 10``; random since October 2020.
- Phone numbers (the national numbering plan): mobile 010 + 4 + 4 (legacy 011, 016-019 with a
  3- or 4-digit exchange); Seoul 02 + 3/4 + 4; 16 area codes 031-033, 041-044, 051-055, 061-064
  + 3/4 + 4; 070 internet phones 4 + 4; 050x personal numbers; +82 drops the leading 0.
- Cards: ISO/IEC 7812 with the Luhn check digit; Visa 4 (16), Mastercard 51-55 and 2221-2720
  (16), American Express 34/37 (15), JCB 3528-3589 (16), UnionPay 62 (16), Diners 36 (14),
  BC domestic 94 (16).
- Bank accounts: group layouts published by the banks (KB 6-2-6, 신한 3-3-6, 우리 4-3-6,
  하나 3-6-5, NH 3-4-4-2, IBK 3-6-2-3, 카카오뱅크 3333-2-7, 케이뱅크 100-3-6, 토스뱅크 1000-4-4,
  우체국 6-2-6, SC제일 3-2-6, 부산 3-4-4-2, 대구 3-2-6-1, 광주 3-3-6, 경남 3-2-7, 수협 3-2-6-1).
- 여권 (passport): one letter (M, S, R, O, D) and 8 digits; since December 2021 M + 3 digits
  + a letter + 4 digits.
- 운전면허 (driver's licence): 12 digits RR-YY-NNNNNN-CC, region 11-26 and 28; since 2011
  the region is printed as a name (서울 12-345678-90).
- 사업자등록번호 (BRN): ``NNN-NN-NNNNC``, C from weights 1,3,7,1,3,7,1,3,5 (the last product's
  tens added), ``(10 - sum mod 10) mod 10``.
- 도로명주소: 시/도, 시/군/구, [읍/면], road name (대로/로/길), building number [-sub], then
  동/층/호; 지번주소: 시/도, 시/군/구, 동/리, lot number [번지].
- Names: surnames by 2015 census frequency, given names from popular-name lists and from
  combinations of common name syllables.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
CARRIER_FILES = ("chatbot_qa.parquet", "longform_news_reviews.parquet", "nsmc_synopses.parquet", "news_comments.parquet")
_NUMBERISH = re.compile(r"@|[0-9](?:[-. ]?[0-9]){5}|[０-９]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

TYPES = ("rrn", "frn", "phone", "email", "card", "account", "passport", "driver_license", "brn", "ip", "address", "name")
FORMS: dict[str, tuple[str, ...]] = {
    "rrn": ("hyphen", "none", "spaced", "fullwidth", "masked"),
    "frn": ("hyphen", "none", "fullwidth"),
    "phone": ("hyphen", "dot", "space", "none", "paren", "intl", "fullwidth", "hangul"),
    "email": ("plain", "fullwidth", "at_korean", "at_bracket", "at_word", "spaced", "dot_spelled", "portal_korean"),
    "card": ("hyphen", "space", "none", "fullwidth"),
    "account": ("hyphen", "none", "space", "fullwidth"),
    "passport": ("old", "new", "fullwidth"),
    "driver_license": ("numeric", "named", "none", "fullwidth"),
    "brn": ("hyphen", "none", "fullwidth"),
    "ip": ("v4", "v6", "fullwidth"),
    "address": ("road", "road_detail", "jibun", "jibun_bunji", "apt_unit", "labelled"),
    "name": ("label", "beside_phone", "beside_account", "beside_email", "beside_address"),
}


@dataclass
class Doc:
    text: str
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, type, form
    keep: list[tuple[int, int, str]] = field(default_factory=list)  # must stay: start, end, kind
    form: tuple[str, str] | None = None

    @property
    def negatives(self) -> list[str]:
        return [k for _, _, k in self.keep]


def load_carriers(corpora: Path = CORPORA, per_file: int = 15000, seed: int = 11) -> list[str]:
    """Real sentences (8-160 characters, no digits runs or '@') from Q&A, news and synopses; [] without the folder."""
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    out: list[str] = []
    for name in CARRIER_FILES:
        path = corpora / name
        if not path.exists():
            continue
        texts = [t for t in pq.read_table(path, columns=["text"]).column("text").to_pylist() if t]
        rng.shuffle(texts)
        kept = 0
        for t in texts:
            for s in _SENTENCE_END.split(t):
                s = s.strip()
                if 8 <= len(s) <= 160 and not _NUMBERISH.search(s):
                    out.append(s)
                    kept += 1
            if kept >= per_file:
                break
    return out


def wide(s: str) -> str:
    """Full-width forms of ASCII letters, digits and punctuation."""
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in s)


def luhn_digit(payload: str) -> str:
    """The ISO/IEC 7812 check digit for ``payload``."""
    total = 0
    for i, c in enumerate(reversed(payload)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def registration_digit(first12: str, foreigner: bool) -> str:
    s = sum(int(c) * w for c, w in zip(first12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)))
    return str(((13 if foreigner else 11) - s % 11) % 10)


def business_digit(first9: str) -> str:
    d = [int(c) for c in first9]
    s = sum(x * w for x, w in zip(d, (1, 3, 7, 1, 3, 7, 1, 3)))
    s += d[8] * 5 + (d[8] * 5) // 10
    return str((10 - s % 10) % 10)


# ----------------------------------------------------------------------------- lists of this set

SURNAME_WEIGHTS = {
    "김": 215, "이": 147, "박": 84, "최": 47, "정": 43, "강": 24, "조": 21, "윤": 21, "장": 20, "임": 17, "한": 15, "오": 15,
    "서": 15, "신": 15, "권": 14, "황": 14, "안": 14, "송": 13, "전": 11, "홍": 11, "유": 10, "고": 9, "문": 9, "양": 9,
    "손": 9, "배": 8, "백": 7, "허": 6, "노": 5, "남": 5, "심": 5, "하": 5, "곽": 4, "성": 4, "차": 4,
}
POPULAR_GIVEN = (
    "민준 서준 예준 도윤 시우 주원 하준 지호 지후 준서 준우 현우 도현 건우 우진 선우 서진 민재 현준 연우 유준 정우 승우 승현 "
    "서연 서윤 지우 서현 민서 하은 하윤 윤서 지유 지민 채원 지원 수아 지아 지윤 다은 은서 예은 수빈 소윤 "
    "영호 영수 영철 정호 성호 상훈 성훈 정훈 동현 재훈 성민 준호 지훈 민수 현철 경호 재석 진호 "
    "미경 미숙 경희 정희 영미 은정 미영 현정 지영 수진 혜진 은주 지혜 민정 은영 선영 미정 유진"
).split()
NAME_SYLLABLES = tuple("민서준도윤시우주원하지호현건진선재연유정승수채은예소영경미희숙성상훈철동혁태석규빈아나린솔별")

DISTRICTS = {
    "서울특별시": ("종로구", "중구", "용산구", "마포구", "서대문구", "은평구", "강서구", "양천구", "영등포구", "관악구", "동작구", "서초구", "강남구", "송파구", "강동구", "광진구", "성동구", "노원구"),
    "부산광역시": ("해운대구", "수영구", "남구", "동래구", "금정구", "사하구", "부산진구", "기장군"),
    "대구광역시": ("수성구", "달서구", "중구", "북구"),
    "인천광역시": ("연수구", "남동구", "부평구", "미추홀구", "서구"),
    "광주광역시": ("북구", "광산구", "서구"),
    "대전광역시": ("유성구", "서구", "중구"),
    "울산광역시": ("남구", "울주군"),
    "경기도": ("수원시 영통구", "성남시 분당구", "고양시 일산동구", "용인시 수지구", "부천시", "안산시 단원구", "화성시", "남양주시", "파주시", "김포시", "평택시", "양평군"),
    "강원특별자치도": ("춘천시", "원주시", "강릉시", "속초시"),
    "충청북도": ("청주시 흥덕구", "충주시", "제천시"),
    "충청남도": ("천안시 서북구", "아산시", "당진시", "공주시"),
    "전북특별자치도": ("전주시 완산구", "군산시", "익산시"),
    "전라남도": ("여수시", "순천시", "목포시", "나주시"),
    "경상북도": ("포항시 남구", "경주시", "구미시", "안동시"),
    "경상남도": ("창원시 성산구", "김해시", "진주시", "양산시", "거제시"),
    "제주특별자치도": ("제주시", "서귀포시"),
}
SHORT_SIDO = {"서울특별시": "서울", "부산광역시": "부산", "대구광역시": "대구", "인천광역시": "인천", "광주광역시": "광주", "대전광역시": "대전", "울산광역시": "울산", "경기도": "경기", "충청북도": "충북", "충청남도": "충남", "전라남도": "전남", "경상북도": "경북", "경상남도": "경남"}
ROADS = (
    "세종대로", "테헤란로", "을지로", "종로", "퇴계로", "한강대로", "강남대로", "올림픽로", "반포대로", "양화로", "월드컵로", "연세로",
    "중앙대로", "해운대로", "광복로", "동대구로", "인하로", "상무대로", "대학로", "둔산대로", "삼산로", "판교로", "광교중앙로",
    "중앙로", "번영로", "시청로", "효자로", "충장로", "새말로", "가로수길", "성수이로", "왕산로", "봉은사로", "도산대로",
)
DONGS = ("역삼동", "서초동", "잠실동", "상암동", "연남동", "청담동", "우동", "좌동", "범어동", "송도동", "봉선동", "둔산동", "옥동", "정자동", "조치원읍 신흥리", "애월읍 곽지리")
BANK_LAYOUTS = {
    "KB국민은행": ((6, 2, 6), None), "신한은행": ((3, 3, 6), "110"), "우리은행": ((4, 3, 6), "1002"), "하나은행": ((3, 6, 5), None),
    "NH농협은행": ((3, 4, 4, 2), "302"), "IBK기업은행": ((3, 6, 2, 3), None), "카카오뱅크": ((4, 2, 7), "3333"), "케이뱅크": ((3, 3, 6), "100"),
    "토스뱅크": ((4, 4, 4), "1000"), "우체국": ((6, 2, 6), None), "SC제일은행": ((3, 2, 6), None), "부산은행": ((3, 4, 4, 2), None),
    "대구은행": ((3, 2, 6, 1), None), "광주은행": ((3, 3, 6), None), "경남은행": ((3, 2, 7), None), "수협은행": ((3, 2, 6, 1), None),
}
BANK_SHORT = {"KB국민은행": "국민", "신한은행": "신한", "우리은행": "우리", "하나은행": "하나", "NH농협은행": "농협", "IBK기업은행": "기업", "카카오뱅크": "카뱅", "토스뱅크": "토스"}
LICENCE_REGIONS = {"11": "서울", "12": "부산", "13": "경기", "14": "강원", "15": "충북", "16": "충남", "17": "전북", "18": "전남", "19": "경북", "20": "경남", "21": "제주", "22": "대구", "23": "인천", "24": "광주", "25": "대전", "26": "울산", "28": "경기"}
MAIL_DOMAINS = ("naver.com", "daum.net", "hanmail.net", "gmail.com", "nate.com", "kakao.com", "hotmail.com", "icloud.com", "yahoo.co.kr", "korea.kr", "yonsei.ac.kr", "snu.ac.kr", "kaist.ac.kr")
COMPANY_DOMAINS = ("samsung.com", "lge.co.kr", "hyundai.com", "sk.com", "kt.com", "coupang.com", "ncsoft.com", "hanwha.co.kr", "lotte.net", "posco.com")
USER_WORDS = ("sky", "blue", "happy", "sun", "moon", "star", "love", "dream", "jjang", "min", "jun", "hyun", "kim", "lee", "park", "choi", "jung", "seo", "jiwoo", "yuna")

# (before, after) per type: label phrases of this set.
LABELS = {
    "rrn": [("주민등록번호 ", ""), ("주민번호: ", " (본인 확인용)"), ("생년월일/주민번호 ", ""), ("(주민) ", ""), ("RRN: ", ""), ("", " 본인 맞습니다"), ("제 주민등록번호는 ", "이에요")],
    "frn": [("외국인등록번호 ", ""), ("외국인 등록번호: ", ""), ("Alien Registration No. ", ""), ("외국인등록증 번호 ", " 입니다")],
    "phone": [("H.P ", ""), ("HP: ", ""), ("☎ ", ""), ("Tel. ", ""), ("휴대폰 번호: ", ""), ("핸드폰번호 ", " 로 문자주세요"), ("연락 가능한 번호는 ", "입니다"), ("", " 으로 연락 바랍니다"), ("모바일: ", ""), ("", "")],
    "phone_hangul": [("H.P ", ""), ("☎ ", ""), ("핸드폰 ", " 입니다"), ("전번 ", ""), ("연락처는 ", "이에요"), ("폰번호 ", "로 카톡 주세요")],
    "email": [("E-mail: ", ""), ("메일주소 ", " 로 보내주세요"), ("이메일 ", ""), ("", " 으로 회신 부탁드립니다"), ("메일: ", ""), ("", "")],
    "card": [("카드번호 ", ""), ("신용카드: ", ""), ("체크카드 번호 ", " 입니다"), ("Card No. ", ""), ("결제카드 ", " (일시불)"), ("", "")],
    "passport": [("여권번호 ", ""), ("Passport No. ", ""), ("여권 번호: ", ""), ("PASSPORT NO ", "")],
    "driver_license": [("운전면허번호 ", ""), ("면허번호: ", ""), ("운전면허증 번호 ", " 입니다"), ("면허증 ", "")],
    "brn": [("사업자등록번호 ", ""), ("사업자번호: ", ""), ("사업자 등록번호 ", " (법인)")],
    "ip": [("IP: ", ""), ("접속IP ", ""), ("", " 에서 로그인 시도"), ("아이피 ", " 차단 요청")],
    "address": [("", ""), ("저희 집 ", ""), ("", " 으로 배송 부탁드려요"), ("이사 온 곳은 ", " 입니다"), ("", "에서 거주 중")],
}
NAME_LABELS = ("성명: ", "받으시는 분: ", "보내시는 분 ", "예금주: ", "수령인 ", "신청자 ", "고객명: ", "성명 ", "예금주 ")


class IndependentGenerators:
    """Values of this set, by type and form, seeded."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def d(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def birth(self) -> tuple[int, int, int]:
        y = self.r.randint(1945, 2018)
        m = self.r.randint(1, 12)
        day = self.r.randint(1, 28)
        return y, m, day

    def registration(self, foreigner: bool, form: str) -> str:
        y, m, day = self.birth()
        if foreigner:
            s = self.r.choice("56" if y < 2000 else "78")
        else:
            s = self.r.choice("12" if y < 2000 else "34")
        if self.r.random() < 0.5:  # before October 2020: office code, order, check digit
            body = f"{y % 100:02d}{m:02d}{day:02d}{s}{self.d(4)}{self.r.choice('6789') if foreigner else self.d(1)}"
            number = body + registration_digit(body, foreigner)
        else:
            number = f"{y % 100:02d}{m:02d}{day:02d}{s}{self.d(6)}"
        if form == "none":
            return number
        if form == "spaced":
            return number[:6] + self.r.choice([" - ", " ", "- ", " -"]) + number[6:]
        if form == "masked":
            return number[:6] + "-" + number[6] + self.r.choice(["******", "●●●●●●", "xxxxxx"])
        v = number[:6] + "-" + number[6:]
        return wide(v) if form == "fullwidth" else v

    def phone_groups(self) -> list[str]:
        r = self.r
        kind = r.random()
        if kind < 0.55:
            return ["010", str(r.randint(2, 9)) + self.d(3), self.d(4)]
        if kind < 0.62:
            return [r.choice(["011", "016", "017", "018", "019"]), str(r.randint(2, 9)) + self.d(r.choice([2, 3])), self.d(4)]
        if kind < 0.75:
            return ["02", str(r.randint(2, 9)) + self.d(r.choice([2, 3])), self.d(4)]
        if kind < 0.92:
            return [r.choice(["031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055", "061", "062", "063", "064"]), str(r.randint(2, 9)) + self.d(r.choice([2, 3])), self.d(4)]
        if kind < 0.97:
            return ["070", str(r.randint(2, 9)) + self.d(3), self.d(4)]
        return [r.choice(["0502", "0503", "0504", "0505", "0507"]), self.d(r.choice([3, 4])), self.d(4)]

    def phone(self, form: str) -> str:
        r = self.r
        g = self.phone_groups()
        if form == "hyphen":
            return "-".join(g)
        if form == "dot":
            return ".".join(g)
        if form == "space":
            return " ".join(g)
        if form == "none":
            return "".join(g)
        if form == "paren":
            return r.choice([f"({g[0]}){g[1]}-{g[2]}", f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}){g[1]}-{g[2]}", f"{g[0]}) {g[1]}-{g[2]}"])
        if form == "intl":
            return r.choice(["+82-", "+82 ", "+82)", "(+82) "]) + r.choice(["-", " "]).join([g[0][1:]] + g[1:])
        if form == "fullwidth":
            return wide(r.choice(["-", " ", "."]).join(g))
        names = "공일이삼사오육칠팔구" if r.random() < 0.7 else "영일이삼사오육칠팔구"
        spell = lambda s: "".join(names[int(c)] for c in s)  # noqa: E731
        mobile = ["010", str(r.randint(2, 9)) + self.d(3), self.d(4)]
        return r.choice(["-", " ", ""]).join(spell(x) for x in mobile)

    def user(self) -> str:
        r = self.r
        return r.choice(USER_WORDS) + r.choice(["", "_", "."]) + r.choice(USER_WORDS + ("",)) + (str(r.randint(1, 99)) if r.random() < 0.6 else "")

    def email(self, form: str) -> str:
        r = self.r
        u = self.user().strip("._") or "user"
        domain = r.choice(MAIL_DOMAINS if r.random() < 0.7 else COMPANY_DOMAINS)
        if form == "plain":
            return f"{u}@{domain}"
        if form == "fullwidth":
            return wide(f"{u}@{domain}")
        if form == "at_korean":
            return u + r.choice([" 골뱅이 ", "골뱅이", "(골뱅이)"]) + domain
        if form == "at_bracket":
            return u + r.choice(["(at)", "[at]", "{at}", "(AT)", " [at] "]) + domain
        if form == "at_word":
            return f"{u} at {domain}"
        if form == "spaced":
            return u + r.choice([" @ ", "@ ", " @"]) + domain
        if form == "dot_spelled":
            host, _, tld = domain.partition(".")
            dot = r.choice(["(dot)", "[dot]", " dot ", " 닷 ", " 쩜 "])
            return f"{u}@{host}{dot}{tld.replace('.', dot)}" if tld != "com" or r.random() < 0.5 else f"{u}@{host}{r.choice(['닷컴', ' 닷컴', '쩜컴'])}"
        portal, word = r.choice([("naver", "네이버"), ("daum", "다음"), ("gmail", "지메일"), ("nate", "네이트"), ("hanmail", "한메일")])
        return f"{u}{r.choice([' 골뱅이 ', '골뱅이'])}{word}{r.choice([' 닷컴', '닷컴', ' 닷넷'] if portal in ('daum', 'hanmail') else [' 닷컴', '닷컴'])}"

    def card(self, form: str) -> str:
        r = self.r
        prefix, n = r.choice([("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15), ("3528", 16), ("3589", 16), ("62", 16), ("36", 14), ("94", 16)])
        body = prefix + self.d(n - 1 - len(prefix))
        number = body + luhn_digit(body)
        if form == "none":
            return number
        sep = " " if form == "space" else "-"
        if n == 15:
            v = sep.join([number[:4], number[4:10], number[10:]])
        elif n == 14:
            v = sep.join([number[:4], number[4:10], number[10:]])
        else:
            v = sep.join(number[i : i + 4] for i in range(0, 16, 4))
        return wide(v) if form == "fullwidth" else v

    def account(self, form: str) -> tuple[str, str]:
        bank = self.r.choice(list(BANK_LAYOUTS))
        layout, lead = BANK_LAYOUTS[bank]
        groups = [self.d(k) for k in layout]
        if lead:
            groups[0] = lead + self.d(layout[0] - len(lead))
        else:
            groups[0] = str(self.r.randint(1, 9)) + groups[0][1:]
        if form == "none":
            return bank, "".join(groups)
        if form == "space":
            return bank, " ".join(groups)
        v = "-".join(groups)
        return bank, wide(v) if form == "fullwidth" else v

    def passport(self, form: str) -> str:
        letter = self.r.choice("MMMMSROD")
        v = f"M{self.d(3)}{self.r.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{self.d(4)}" if form == "new" or (form == "fullwidth" and self.r.random() < 0.5) else f"{letter}{self.d(8)}"
        return wide(v) if form == "fullwidth" else v

    def driver_license(self, form: str) -> str:
        region = self.r.choice(list(LICENCE_REGIONS))
        yy, serial, cc = self.d(2), self.d(6), self.d(2)
        if form == "named":
            return f"{LICENCE_REGIONS[region]} {yy}-{serial}-{cc}"
        if form == "none":
            return region + yy + serial + cc
        v = f"{region}-{yy}-{serial}-{cc}"
        return wide(v) if form == "fullwidth" else v

    def brn(self, form: str) -> str:
        first9 = f"{self.r.randint(101, 999)}{self.r.choice(['01', '05', '13', '22', '81', '86', '87'])}{self.d(4)}"
        number = first9 + business_digit(first9)
        if form == "none":
            return number
        v = f"{number[:3]}-{number[3:5]}-{number[5:]}"
        return wide(v) if form == "fullwidth" else v

    def ip(self, form: str) -> str:
        r = self.r
        if form == "v6":
            groups = [r.choice(["2001", "2400", "2404", "2406", "2600", "2a00", "2c0f"])] + [f"{r.randint(0, 0xffff):x}" for _ in range(r.choice([3, 7]))]
            return ":".join(groups) if len(groups) == 8 else ":".join(groups) + "::" + f"{r.randint(1, 0xffff):x}"
        while True:
            octets = [r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)]
            a, b = octets[0], octets[1]
            if a in (10, 127, 100) or (a == 172 and 16 <= b <= 31) or (a == 192 and b in (0, 168)) or (a == 169 and b == 254) or (a == 198 and b in (18, 19, 51)) or (a == 203 and b == 0):
                continue
            v = ".".join(map(str, octets))
            return wide(v) if form == "fullwidth" else v

    def name(self) -> str:
        r = self.r
        surname = r.choices(list(SURNAME_WEIGHTS), weights=list(SURNAME_WEIGHTS.values()))[0]
        given = r.choice(POPULAR_GIVEN) if r.random() < 0.5 else "".join(r.sample(NAME_SYLLABLES, 2))
        return surname + given

    def region(self) -> str:
        sido = self.r.choice(list(DISTRICTS))
        sgg = self.r.choice(DISTRICTS[sido])
        shown = SHORT_SIDO.get(sido, sido) if self.r.random() < 0.4 else sido
        return f"{shown} {sgg}"

    def address(self, form: str) -> tuple[str, str, str]:
        """(region and road or 동 part that stays, part to redact, text after)."""
        r = self.r
        number = str(r.randint(1, 400)) + (f"-{r.randint(1, 40)}" if r.random() < 0.25 else "")
        detail = r.choice([f", {r.randint(2, 20)}층", f" {r.randint(101, 125)}동 {r.randint(1, 30)}{r.randint(1, 6):02d}호", f", {r.randint(1, 9)}{r.randint(0, 1)}{r.randint(1, 9)}호", f" {r.randint(2, 9)}층 {r.randint(201, 905)}호"])
        if form in ("road", "road_detail", "labelled"):
            road = r.choice(ROADS)
            if r.random() < 0.3:
                road += f"{r.randint(1, 40)}길"
            keep = f"{self.region()} {road} " if form != "labelled" else f"{road} "
            value = number + (detail if form == "road_detail" or (form == "labelled" and r.random() < 0.5) else "")
            after = r.choice(["", f" ({r.choice(DONGS).split()[-1]})"]) if form != "labelled" else ""
            return keep, value, after
        if form in ("jibun", "jibun_bunji"):
            keep = f"{self.region()} {r.choice(DONGS)} "
            value = (r.choice(["", "산"]) if r.random() < 0.1 else "") + number + ("번지" if form == "jibun_bunji" else "")
            return keep, value, ""
        complex_ = r.choice(["한신아파트", "주공아파트", "힐스테이트", "e편한세상", "롯데캐슬", "아이파크"])
        return f"{complex_} ", f"{r.randint(101, 130)}동 {r.randint(1, 30)}{r.randint(1, 6):02d}호", ""

    # ------------------------------------------------------------------ hard negatives

    KINDS = (
        "date", "fw_date", "price", "fw_price", "time", "hotline", "tollfree", "product", "fw_product", "isbn", "order",
        "parcel", "member", "road_news", "district_news", "public_figure", "byline", "version", "private_ip", "article",
        "coordinates", "stock", "car_plate", "dong_office", "amount",
    )

    def negative(self) -> tuple[list[tuple[str, str | None]], list[tuple[str, str, str]]]:
        """(parts, gold) for one hard negative: parts are (text, keep-kind or None); gold (text, type, form) when the phrase also holds PII."""
        r = self.r
        y, m, day = self.birth()
        k = r.choice(self.KINDS)
        if k == "date":
            return [(r.choice([f"{y}년 {m}월 {day}일", f"{y}.{m}.{day}", f"{y}-{m:02d}-{day:02d}"]) + "에", k)], []
        if k == "fw_date":
            return [(wide(r.choice([f"{y}.{m:02d}.{day:02d}", f"{y}-{m:02d}-{day:02d}"])) + " 공지", k)], []
        if k == "price":
            return [(f"{r.randint(1, 999):,}{r.choice([',000', ',500', ',900'])}원", k)], []
        if k == "fw_price":
            return [("정가 " + wide(f"{r.randint(10, 999)},{r.randint(0, 9)}00") + "원", k)], []
        if k == "time":
            return [(f"오후 {r.randint(1, 11)}:{r.randint(0, 59):02d}부터", k)], []
        if k == "hotline":
            return [(f"대표전화 {r.choice(['1588', '1577', '1566', '1644', '1600', '1899'])}-{self.d(4)}", k)], []
        if k == "tollfree":
            return [(f"무료전화 080-{self.d(3)}-{self.d(4)}", k)], []
        if k == "product":
            return [(r.choice([f"모델명 SM-S{self.d(3)}N", f"제품번호 ABC-{self.d(4)}-{self.d(4)}", f"LG-F{self.d(3)}S", f"품번 {self.d(2)}-{self.d(5)}"]), k)], []
        if k == "fw_product":
            return [("모델 " + wide(f"SM-S{self.d(3)}N"), k)], []
        if k == "isbn":
            return [(f"ISBN 979-11-{self.d(5)}-{self.d(2)}-{self.d(1)}", k)], []
        if k == "order":
            return [(f"주문번호 {y}{m:02d}{day:02d}{self.d(6)}", k)], []
        if k == "parcel":
            return [(f"송장번호 {self.d(12)}", k)], []
        if k == "member":
            return [(f"회원번호 {self.d(10)}", k)], []
        if k == "road_news":
            road = r.choice(ROADS)
            return [(r.choice([f"{road} 일대 교통 통제", f"{road} 출퇴근길 정체", f"{road} 하남 방향 {r.randint(2, 9)}km", f"{road} {r.randint(2, 8)}개 차로"]), k)], []
        if k == "district_news":
            return [(r.choice([f"{self.region()} 일대", f"{self.region()} {r.choice(DONGS).split()[-1]} 주민 {r.randint(10, 900)}명", f"{self.region()} 소재 공장"]), k)], []
        if k == "public_figure":
            return [(self.name(), k), (r.choice([" 대통령은", " 장관은 이날", " 의원은", " 감독이 연출한", " 교수는"]), None)], []
        if k == "byline":
            email = f"{self.user().strip('._') or 'reporter'}@{r.choice(['yna.co.kr', 'newsis.com', 'news1.kr', 'chosun.com', 'hani.co.kr'])}"
            return [(self.name(), k), (" 기자 ", None), (email, "GOLD")], [(email, "email", "plain")]
        if k == "version":
            return [(f"v{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 20)}", k)], []
        if k == "private_ip":
            return [(r.choice(["192.168.", "10.0."]) + f"{r.randint(0, 9)}.{r.randint(1, 254)}", k)], []
        if k == "article":
            return [(f"제{r.randint(1, 80)}조 제{r.randint(1, 5)}항", k)], []
        if k == "coordinates":
            return [(f"북위 {r.randint(33, 38)}.{self.d(4)}, 동경 {r.randint(124, 131)}.{self.d(4)}", k)], []
        if k == "stock":
            return [(f"종목코드 {self.d(6)}", k)], []
        if k == "car_plate":
            return [(f"{r.randint(10, 399)}{r.choice('가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주')} {self.d(4)}", k)], []
        if k == "dong_office":
            return [(r.choice([f"{r.randint(1, 5)}동 주민센터", f"{r.choice(DONGS).split()[-1]} 행정복지센터"]), k)], []
        return [(f"총 {r.randint(1, 99):,}억 {r.randint(1000, 9999):,}만원", "amount")], []


def _value(g: IndependentGenerators, typ: str, form: str) -> list[tuple[str, object]]:
    """Parts of one phrase: (text, None) plain, (text, ("pii", type, form)), (text, ("keep", kind))."""
    r = g.r
    if typ == "account":
        bank, number = g.account(form)
        shown = BANK_SHORT.get(bank, bank) if r.random() < 0.3 else bank
        before, after = r.choice([(f"{shown} ", ""), (f"입금계좌: {shown} ", ""), ("계좌번호 ", f" ({shown})"), (f"무통장입금 {shown} ", ""), (f"환불계좌 {shown} ", " 로 부탁드립니다")])
        return [(before, None), (number, ("pii", typ, form)), (after, None)]
    if typ == "address":
        keep, value, after = g.address(form)
        if form == "labelled":
            return [(r.choice(["주소: ", "배송지: ", "주소 "]), None), (keep, ("keep", "address_region")), (value, ("pii", typ, form)), (after, None)]
        before, post = r.choice(LABELS["address"])
        kind = "address_region" if form != "apt_unit" else "complex_name"
        return [(before, None), (keep, ("keep", kind)), (value, ("pii", typ, form)), (after + post, None)]
    if typ == "name":
        name = g.name()
        if form == "label":
            return [(r.choice(NAME_LABELS), None), (name, ("pii", "name", form)), (r.choice(["", " 님", " (010 없음)", "."]), None)]
        if form == "beside_phone":
            phone = g.phone("hyphen")
            return r.choice([
                [(name, ("pii", "name", form)), (" ", None), (phone, ("pii", "phone", "hyphen"))],
                [(name, ("pii", "name", form)), ("(", None), (phone, ("pii", "phone", "hyphen")), (")", None)],
                [("H.P ", None), (phone, ("pii", "phone", "hyphen")), (" ", None), (name, ("pii", "name", form)), (".", None)],
                [(name, ("pii", "name", form)), (" 님 ", None), (phone, ("pii", "phone", "hyphen"))],
            ])
        if form == "beside_account":
            bank, number = g.account("hyphen")
            return [(f"{bank} ", None), (number, ("pii", "account", "hyphen")), (r.choice([" ", " / "]), None), (name, ("pii", "name", form)), (r.choice(["", "."]), None)]
        if form == "beside_email":
            email = f"{g.user().strip('._') or 'me'}@{r.choice(MAIL_DOMAINS)}"
            return [(name, ("pii", "name", form)), (r.choice([" ", " / ", " <"]), None), (email, ("pii", "email", "plain")), (r.choice(["", ">"]), None)]
        keep, value, _ = g.address("road")
        return [(name, ("pii", "name", form)), (r.choice([" ", ", ", " / "]), None), (keep, ("keep", "address_region")), (value, ("pii", "address", "road"))]
    make = {
        "rrn": lambda: g.registration(False, form), "frn": lambda: g.registration(True, form), "phone": lambda: g.phone(form),
        "email": lambda: g.email(form), "card": lambda: g.card(form), "passport": lambda: g.passport(form),
        "driver_license": lambda: g.driver_license(form), "brn": lambda: g.brn(form), "ip": lambda: g.ip(form),
    }[typ]
    key = "phone_hangul" if (typ, form) == ("phone", "hangul") else typ
    labels = LABELS[key]
    if typ in ("passport",) or (typ, form) in (("driver_license", "none"), ("brn", "none")):
        labels = [lb for lb in labels if lb[0]]  # these forms are only personal with a label
    before, after = r.choice(labels)
    return [(before, None), (make(), ("pii", typ, form)), (after, None)]


def build_set(n_per_form: int = 100, n_plain: int = 500, seed: int = 424242, sentences: list[str] | None = None) -> list[Doc]:
    """``n_per_form`` documents per (type, form) and ``n_plain`` without PII, each with 1-3 real sentences."""
    sentences = sentences if sentences is not None else load_carriers()
    if not sentences:
        return []
    g = IndependentGenerators(seed)
    r = g.r
    plan: list[tuple[str, str] | None] = [(t, f) for t in TYPES for f in FORMS[t] for _ in range(n_per_form)] + [None] * n_plain
    r.shuffle(plan)
    docs = []
    for form in plan:
        blocks: list[list[tuple[str, object]]] = [[(s, None)] for s in r.sample(sentences, r.randint(1, 3))]
        if form is not None:
            blocks.insert(r.randint(0, len(blocks)), _value(g, *form))
        if form is None or r.random() < 0.6:
            parts, gold = g.negative()
            golds = {text: (t, f) for text, t, f in gold}
            blocks.insert(r.randint(0, len(blocks)), [(text, ("pii", *golds[text]) if kind == "GOLD" else (("keep", kind) if kind else None)) for text, kind in parts])
        doc = Doc("", form=form)
        out: list[str] = []
        pos = 0
        for block in blocks:
            if out:
                out.append(" ")
                pos += 1
            for text, tag in block:
                if isinstance(tag, tuple) and tag[0] == "pii":
                    doc.spans.append((pos, pos + len(text), tag[1], tag[2]))
                elif isinstance(tag, tuple):
                    doc.keep.append((pos, pos + len(text.rstrip()), tag[1]))
                out.append(text)
                pos += len(text)
        doc.text = "".join(out)
        docs.append(doc)
    return docs

"""Labelled PII evaluation set (the regression set): generated Korean PII, in the forms web pages
write it, embedded in real Korean sentences.

Documents are 1-4 real sentences from ``../shared/corpora`` (UD Korean, news comments, movie
reviews) with templated phrases inserted between them. Each document is made for one written
form of one type (``EvalDoc.form``, e.g. ``("phone", "hangul")``); each inserted PII value is a
labelled span ``(start, end, type, form)``. Spans that must stay (``EvalDoc.keep``) are hard
negatives (dates, prices, order and parcel numbers, ISBNs, barcodes, product codes, business
hotlines, full-width prices and dates, road names in news, public figures and bylines, English
" at ", long IDs, private IPs, versions, times) and the region of every address (시/도, 시/군/구,
road or 동 name). Source sentences that already hold something PII-like (an '@', or 7+ digits in
a short run) are left out, so no unlabelled real PII is scored as a false positive.

Values come from Faker's ``ko_KR`` locale (phones, e-mails, cards, names) and from the generators
below, which use the redactor's own validators, gazetteer and labels
(``kocorpus.filters``): this set is a regression set written by the same hands as the rules.
``bench/pii_independent.py`` is the comparison set written without them.

The set is generated, never checked in: ``build_eval_set(seed=...)`` is deterministic for a
given seed, Faker version and corpus files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from kocorpus.filters.pii_address import SIDO, SIGUNGU
from kocorpus.filters.pii_validators import (
    DRIVER_LICENSE_REGION_NAMES,
    brn_check_digit,
    frn_check_digit,
    luhn_check_digit,
    rrn_check_digit,
)

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SENTENCE_FILES = ("ud_sentences.parquet", "news_comments.parquet", "nsmc_reviews.parquet")
_PII_LIKE = re.compile(r"@|[0-9](?:[-. ]?[0-9]){6}")

TYPES = ("rrn", "frn", "phone", "email", "card", "account", "passport", "driver_license", "brn", "ip", "address", "name")

#: Written forms per type, in the order the tables print them.
FORMS: dict[str, tuple[str, ...]] = {
    "rrn": ("hyphen", "bare", "spaced", "fullwidth"),
    "frn": ("hyphen", "bare", "spaced", "fullwidth"),
    "phone": ("hyphen", "dots", "spaces", "bare", "mixed", "paren_area", "close_paren", "intl", "fullwidth", "hangul"),
    "email": ("plain", "fullwidth", "golbaengi", "at_bracket", "at_word", "spaced_at", "dot_word", "hangul_portal"),
    "card": ("hyphen", "spaced", "bare", "fullwidth"),
    "account": ("hyphen", "bare", "spaced", "fullwidth"),
    "passport": ("plain", "fullwidth"),
    "driver_license": ("numeric", "named", "fullwidth"),
    "brn": ("hyphen", "fullwidth"),
    "ip": ("v4", "v6", "fullwidth"),
    "address": ("road", "road_detail", "jibun", "jibun_detail", "labelled_road", "unit"),
    "name": ("label", "label_copula", "before_phone", "title_before_phone", "after_phone", "after_account", "before_email", "before_address"),
}

HANGUL_DIGITS = dict(zip("0123456789", "공일이삼사오육칠팔구"))


@dataclass
class EvalDoc:
    text: str
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # gold PII: start, end, type, form
    keep: list[tuple[int, int, str]] = field(default_factory=list)  # must stay unredacted: start, end, kind
    form: tuple[str, str] | None = None  # (type, form) this document was made for; None: no PII

    @property
    def negatives(self) -> list[str]:
        """Hard-negative kinds inserted (address regions and public names included)."""
        return [k for _, _, k in self.keep]


def load_sentences(corpora: Path = CORPORA, per_file: int = 20000, seed: int = 0) -> list[str]:
    """Real Korean sentences (10-200 characters) without PII-like content; [] when the folder is absent."""
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    out: list[str] = []
    for name in SENTENCE_FILES:
        path = corpora / name
        if not path.exists():
            continue
        texts = pq.read_table(path, columns=["text"]).column("text").to_pylist()
        rng.shuffle(texts)
        kept = 0
        for t in texts:
            if t and 10 <= len(t) <= 200 and not _PII_LIKE.search(t) and "\n" not in t:
                out.append(t.strip())
                kept += 1
                if kept >= per_file:
                    break
    return out


def full_width(s: str) -> str:
    """ASCII letters, digits and punctuation -> full-width forms (U+FF01-FF5E); spaces stay."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


# A phrase is a list of parts: plain text, ("pii", text, type, form) or ("keep", text, kind).
Part = str | tuple[str, str, str, str] | tuple[str, str, str]


def pii(text: str, typ: str, form: str) -> tuple[str, str, str, str]:
    return ("pii", text, typ, form)


def keep(text: str, kind: str) -> tuple[str, str, str]:
    return ("keep", text, kind)


# ----------------------------------------------------------------------------- value generators

ROAD_STEMS = (
    "테헤란", "세종", "중앙", "역삼", "강남대", "올림픽", "월드컵북", "판교역", "센텀중앙", "한누리대", "시청", "신촌", "봉은사",
    "도산대", "압구정", "언주", "선릉", "학동", "반포대", "사평대", "남부순환", "경인", "부평대", "해운대", "수영", "충장",
    "금남", "둔산", "대학", "문화", "평화", "통일", "번영", "희망", "마장", "왕십리", "퇴계", "을지", "청계천", "동일",
)
DONGS = (
    "역삼동", "청운동", "신사동", "대치동", "상계동", "방배동", "봉천동", "신림동", "부전동", "우동", "중동", "삼성동",
    "잠실동", "화곡동", "상도동", "양근리", "애월리", "을지로3가", "충무로2가", "종로1가", "연희동", "망원동", "서교동",
)
BUILDINGS = ("래미안아파트", "자이아파트", "푸르지오", "한빛빌라", "대명빌딩", "현대오피스텔", "센트럴타워", "그린맨션")
NAME_LABELS_USED = ("성명", "예금주", "받는 사람", "받는분", "신청인", "보호자", "담당자", "수취인", "성함", "이름")
BANKS = ("국민은행", "신한은행", "우리은행", "하나은행", "농협", "기업은행", "카카오뱅크", "토스뱅크", "우체국", "새마을금고")


class Generators:
    """PII values per written form, and hard negatives, seeded."""

    def __init__(self, seed: int):
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker("ko_KR")
        self.fake.seed_instance(seed)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _birth(self, lo: int, hi: int) -> dt.date:
        start = dt.date(lo, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, dt.date(hi, 12, 31).toordinal()))

    # ------------------------------------------------------------------ numbers

    def registration(self, foreigner: bool, form: str) -> str:
        born = self._birth(1940, 2019)
        if foreigner:
            s = self.rng.choice("56" if born.year < 2000 else "78")
        else:
            s = self.rng.choice("12" if born.year < 2000 else "34")
        first12 = f"{born:%y%m%d}{s}{self.digits(5)}"
        if self.rng.random() < 0.5:  # issued before October 2020: check digit holds
            last = (frn_check_digit if foreigner else rrn_check_digit)(first12)
        else:  # since October 2020: random tail
            last = self.rng.randrange(10)
        d = first12 + str(last)
        if form == "bare":
            return d
        if form == "spaced":
            return f"{d[:6]}{self.rng.choice([' - ', ' ', ' -', '- '])}{d[6:]}"
        value = f"{d[:6]}-{d[6:]}"
        return full_width(value) if form == "fullwidth" else value

    def phone(self, form: str) -> str:
        r = self.rng
        mobile = (f"010", f"{r.randint(2000, 9999)}", self.digits(4))
        area = r.choice(["02", "031", "032", "051", "053", "062", "064"])
        land = (area, f"{r.randint(200, 9999)}", self.digits(4))
        groups = r.choice([mobile, land, ("070", self.digits(4), self.digits(4)), ("0505", self.digits(3), self.digits(4))])
        if form == "hyphen":
            return self.fake.phone_number() if r.random() < 0.5 else "-".join(groups)
        if form == "dots":
            return ".".join(groups)
        if form == "spaces":
            return " ".join(groups)
        if form == "bare":
            return "".join(groups)
        if form == "mixed":
            a, b = r.sample([".", "-", " ", " - ", ""], 2)
            return f"{groups[0]}{a}{groups[1]}{b}{groups[2]}"
        if form == "paren_area":
            return f"({land[0]}){r.choice([' ', '', '-'])}{land[1]}-{land[2]}"
        if form == "close_paren":
            return f"{land[0]}){r.choice(['', ' '])}{land[1]}-{land[2]}"
        if form == "intl":
            g = r.choice([mobile, land])
            sep = r.choice(["-", " "])
            return r.choice(["+82 ", "+82-", "+82", "0082-", "+82 (0)"]) + sep.join((g[0][1:],) + g[1:])
        if form == "fullwidth":
            return full_width(r.choice(["-".join(groups), f"({land[0]}) {land[1]}-{land[2]}"]))
        # hangul
        spell = lambda d: "".join(HANGUL_DIGITS[c] for c in d)  # noqa: E731
        value = r.choice([" ", "-", "", " "]).join(spell(g) for g in mobile)
        return value.replace("공", "영") if r.random() < 0.2 else value

    def email(self, form: str) -> str:
        r = self.rng
        if form in ("plain", "fullwidth"):
            e = r.choice([self.fake.free_email, self.fake.company_email, lambda: f"{self.fake.user_name()}@{r.choice(['korea.kr', 'snu.ac.kr', 'kakao.com'])}"])()
            return e if form == "plain" else full_width(e)
        user = self.fake.user_name()
        portal, tld = r.choice([("naver", "com"), ("daum", "net"), ("hanmail", "net"), ("gmail", "com"), ("nate", "com"), ("korea", "kr")])
        domain = f"{portal}.{tld}"
        if form == "golbaengi":
            return f"{user}{r.choice([' 골뱅이 ', '골뱅이'])}{domain}"
        if form == "at_bracket":
            return f"{user}{r.choice(['(at)', ' (at) ', '[at]', ' [at] ', '(AT)'])}{domain}"
        if form == "at_word":
            return f"{user} at {domain}"
        if form == "spaced_at":
            return f"{user}{r.choice([' @ ', '@ ', ' @'])}{domain}"
        if form == "dot_word":
            at = r.choice(["@", " 골뱅이 ", "(at)", " at "])
            dot = {"com": r.choice([" dot com", "(dot)com", "[dot]com", " 닷컴", "닷컴", " 쩜 com"]), "net": r.choice([" dot net", "(dot)net", " 닷넷"]), "kr": r.choice([" dot kr", "[dot]kr", " 쩜 kr"])}[tld]
            return f"{user}{at}{portal}{dot}"
        # hangul_portal
        hangul = {"naver": "네이버", "daum": "다음", "hanmail": "한메일", "gmail": "지메일", "nate": "네이트", "korea": None}[portal] or "네이버"
        tld_word = {"com": " 닷컴", "net": " 닷넷", "kr": " 닷컴"}[tld]
        return f"{user} 골뱅이 {hangul}{tld_word}"

    def card(self, form: str) -> str:
        if self.rng.random() < 0.15:  # Korean domestic-only card
            payload = "94" + self.digits(13)
            number = payload + str(luhn_check_digit(payload))
        else:
            kind = self.rng.choice(["mastercard", "visa16", "visa13", "visa19", "amex", "discover", "diners", "jcb15", "jcb16"])
            number = self.fake.credit_card_number(kind)
        if form == "bare":
            return number
        style = " " if form == "spaced" else "-"
        n = len(number)
        if n in (14, 15):
            out = f"{number[:4]}{style}{number[4:10]}{style}{number[10:]}"
        else:
            out = style.join(number[i : i + 4] for i in range(0, n, 4))
        return full_width(out) if form == "fullwidth" else out

    ACCOUNT_FORMATS = {
        "국민은행": (6, 2, 6), "신한은행": (3, 3, 6), "우리은행": (4, 3, 6), "하나은행": (3, 6, 5),
        "농협": (3, 4, 4, 2), "기업은행": (3, 6, 2, 3), "카카오뱅크": (4, 2, 7), "토스뱅크": (4, 4, 4),
        "케이뱅크": (3, 3, 6), "우체국": (6, 2, 6), "SC제일은행": (3, 2, 6), "새마을금고": (4, 2, 6, 1),
    }

    def account(self, form: str) -> tuple[str, str]:
        bank = self.rng.choice(list(self.ACCOUNT_FORMATS))
        groups = [self.digits(n) for n in self.ACCOUNT_FORMATS[bank]]
        groups[0] = str(self.rng.randint(1, 9)) + groups[0][1:]
        if form == "bare":
            return bank, "".join(groups)
        if form == "spaced":
            return bank, " ".join(groups)
        value = "-".join(groups)
        return bank, full_width(value) if form == "fullwidth" else value

    def passport(self, form: str) -> str:
        letter = self.rng.choice("MMMMSRODM")
        if self.rng.random() < 0.5:
            value = f"{letter}{self.digits(8)}"
        else:
            value = f"{letter}{self.digits(3)}{self.rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{self.digits(4)}"
        return full_width(value) if form == "fullwidth" else value

    def driver_license(self, form: str) -> str:
        yy, serial, check = self.digits(2), self.digits(6), self.digits(2)
        if form == "named":
            return f"{self.rng.choice(DRIVER_LICENSE_REGION_NAMES)} {yy}-{serial}-{check}"
        region = self.rng.choice([str(c) for c in range(11, 27)] + ["28"])
        value = f"{region}-{yy}-{serial}-{check}"
        return full_width(value) if form == "fullwidth" else value

    def brn(self, form: str) -> str:
        first9 = str(self.rng.randint(101, 899)) + self.digits(6)
        d = first9 + str(brn_check_digit(first9))
        value = f"{d[:3]}-{d[3:5]}-{d[5:]}"
        return full_width(value) if form == "fullwidth" else value

    def ip(self, form: str) -> str:
        v6 = form == "v6"
        while True:
            if not v6:
                addr = ipaddress.IPv4Address(self.rng.getrandbits(32))
            else:
                addr = ipaddress.IPv6Address((0x2 << 124) | self.rng.getrandbits(124) & ((1 << 125) - 1))
                if self.rng.random() < 0.5:  # a compressible address, as servers usually are
                    addr = ipaddress.IPv6Address(int(addr) & ~((1 << 64) - 1) | self.rng.getrandbits(16))
            if addr.is_global and not addr.is_multicast and not (addr.version == 4 and max(addr.packed) < 10):
                return full_width(addr.compressed) if form == "fullwidth" else addr.compressed

    def name(self) -> str:
        if self.rng.random() < 0.05:
            return self.rng.choice(["남궁", "황보", "선우", "제갈"]) + self.fake.first_name()
        return self.fake.name()

    # ------------------------------------------------------------------ addresses

    def region(self) -> str:
        sgg = self.rng.choice(SIGUNGU)
        sido = self.rng.choice(SIDO)
        return self.rng.choice([f"{sido} {sgg}", f"{sido} {sgg}", sgg])

    def road(self) -> str:
        r = self.rng
        stem = r.choice(ROAD_STEMS)
        road = stem + ("로" if stem.endswith("대") else r.choice(["로", "로", "길", "대로"]))
        if r.random() < 0.3:
            road += r.choice([f" {r.randint(1, 60)}길", f"{r.randint(1, 60)}길", f"{r.randint(1, 200)}번길"])
        return road

    def building_number(self) -> str:
        n = str(self.rng.randint(1, 999))
        return n + (f"-{self.rng.randint(1, 60)}" if self.rng.random() < 0.2 else "")

    def detail(self) -> str:
        r = self.rng
        return r.choice([
            f", {r.randint(1, 30)}층", f" {r.randint(101, 120)}동 {r.randint(1, 25)}{r.randint(1, 4):02d}호", f", 지하 {r.randint(1, 3)}층",
            f" {r.choice(BUILDINGS)} {r.randint(2, 15)}층", f" {r.choice(BUILDINGS)} {r.randint(101, 115)}동 {r.randint(1, 20)}0{r.randint(1, 4)}호",
            f", {r.randint(1, 9)}0{r.randint(1, 9)}호",
        ])

    def address(self, form: str) -> list[Part]:
        r = self.rng
        if form == "unit":
            return [r.choice(BUILDINGS) + " ", pii(f"{r.randint(101, 130)}동 {r.randint(1, 25)}{r.randint(1, 4):02d}호", "address", form)]
        if form == "labelled_road":
            return [r.choice(["주소: ", "배송지 ", "주소는 ", "거주지: "]), keep(self.road() + " ", "address_region"), pii(self.building_number() + (self.detail() if r.random() < 0.5 else ""), "address", form)]
        if form.startswith("road"):
            head = f"{self.region()} {self.road()} "
            value = self.building_number()
        else:
            head = f"{self.region()} {r.choice(['', r.choice(['양평읍 ', '애월읍 ', '진접읍 ', '화도읍 '])]) if r.random() < 0.2 else ''}{r.choice(DONGS)} "
            value = (r.choice(["", "산 "]) if r.random() < 0.1 else "") + self.building_number() + r.choice(["", "", "번지"])
        if form.endswith("detail"):
            value += self.detail()
        parts: list[Part] = [keep(head, "address_region"), pii(value, "address", form)]
        if r.random() < 0.2:
            parts.append(f" ({r.choice(DONGS)})")
        return parts

    # ------------------------------------------------------------------ hard negatives

    NEGATIVE_KINDS = (
        "date", "price", "order", "order_rrn_shape", "isbn", "barcode", "product", "business_phone", "long_id", "parcel",
        "private_ip", "version", "time", "account_no_context", "ratio", "unlabelled_id", "letter_code", "road_news",
        "hotline", "fw_price", "fw_date", "fw_product", "public_figure", "byline", "english_at", "name_prose",
    )

    def negative(self) -> list[Part]:
        """Parts of something number- or name-like that is not personal information."""
        r = self.rng
        y, m, d = r.randint(1990, 2025), r.randint(1, 12), r.randint(1, 28)
        kind = r.choice(self.NEGATIVE_KINDS)
        if kind == "date":
            phrase = r.choice([f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}.", f"{y}년 {m}월 {d}일", f"{y % 100:02d}.{m:02d}.{d:02d}"]) + " 기준"
        elif kind == "price":
            phrase = r.choice([f"가격은 {r.randint(1, 9999) * 1000:,}원", f"₩{r.randint(1, 999):,},000", f"{r.randint(10, 99)}만 {r.randint(1000, 9999)}원"])
        elif kind == "order":
            phrase = f"주문번호 {y}{m:02d}{d:02d}-{self.digits(7)}"
        elif kind == "order_rrn_shape":
            phrase = f"{r.choice(['주문번호', '접수번호', '예약번호'])} {y % 100:02d}{m:02d}{d:02d}-{r.choice('1234')}{self.digits(6)}"
        elif kind == "isbn":
            phrase = r.choice([f"ISBN 978-89-{self.digits(4)}-{self.digits(3)}-{self.digits(1)}", f"ISBN {r.choice(['978', '979'])}{r.choice('18')}{self.digits(9)}", f"ISBN 89-{self.digits(4)}-{self.digits(3)}-{self.digits(1)}"])
        elif kind == "barcode":
            phrase = f"바코드 880{self.digits(10)}"
        elif kind == "product":
            phrase = r.choice([f"모델명 SM-{r.choice('GNAF')}{self.digits(3)}{r.choice('NKS')}", f"제품코드 A{r.choice(['010', '02', '031'])}-{self.digits(4)}-{self.digits(4)}", f"품번 {r.choice('KLP')}{self.digits(2)}-{self.digits(4)}-{self.digits(4)}"])
        elif kind == "business_phone":
            phrase = r.choice([f"고객센터 {r.choice(['1588', '1577', '1644', '1661', '1899', '1800'])}-{self.digits(4)}", f"수신자부담 080-{self.digits(3)}-{self.digits(4)}"])
        elif kind == "long_id":
            phrase = f"{r.choice(['회원번호', '문서 ID', '거래 ID', '일련번호'])} {r.randint(1, 9)}{self.digits(r.randint(11, 19))}"
        elif kind == "parcel":
            phrase = f"운송장번호 {r.choice(['6', '3', '5'])}{self.digits(r.choice([9, 11, 12]))}"
        elif kind == "private_ip":
            phrase = f"공유기 주소 {r.choice(['192.168.0.' + str(r.randint(1, 254)), '10.0.' + str(r.randint(0, 255)) + '.' + str(r.randint(1, 254)), '127.0.0.1', '172.16.' + str(r.randint(0, 31)) + '.1'])}"
        elif kind == "version":
            phrase = f"버전 {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}.{r.randint(0, 99)} 업데이트"
        elif kind == "time":
            phrase = f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}에 시작"
        elif kind == "unlabelled_id":  # a long number with no label at all
            phrase = r.choice(["참고 ", "", "(", "No. "]) + f"{r.randint(1, 9)}{self.digits(r.randint(9, 18))}" + r.choice(["", ")", " 참조"])
        elif kind == "letter_code":  # passport-shaped product and part codes
            letter = r.choice("MSROD")
            code = f"{letter}{self.digits(8)}" if r.random() < 0.5 else f"{letter}{self.digits(3)}{r.choice('ABCKLX')}{self.digits(4)}"
            phrase = f"{r.choice(['부품 ', '규격 ', '코드 ', '사이즈 ', ''])}{code}"
        elif kind == "account_no_context":
            phrase = f"문서번호 {self.digits(3)}-{self.digits(3)}-{self.digits(6)}"
        elif kind == "road_news":
            region = self.region()
            phrase = r.choice([
                f"{self.road()} 일대", f"{region} {self.road()} 일대에서 집회", f"{self.road()}에서 교통사고", f"{self.road()} {r.randint(2, 10)}개 차로 통제",
                f"{self.road()} {r.randint(1, 30)}km 구간", f"{region} {r.choice(DONGS)} 일대", f"{region} {r.choice(DONGS)}에서 {r.randint(2, 99)}명",
                f"{self.road()} 사거리", f"{region} {r.choice(DONGS)} {r.randint(100, 3000)}여 가구",
            ])
        elif kind == "hotline":
            phrase = r.choice([f"대표번호 {r.choice(['1588', '1577', '1544', '1600', '1670'])}-{self.digits(4)}", f"콜센터 {r.choice(['1599', '1666'])}-{self.digits(4)}", f"무료상담 080-{self.digits(3)}-{self.digits(4)}", f"ARS 060-{self.digits(3)}-{self.digits(4)}"])
        elif kind == "fw_price":
            phrase = full_width(f"{r.randint(1, 999)},{self.digits(3)}") + r.choice(["원", " 원", "원에 판매"])
        elif kind == "fw_date":
            phrase = full_width(r.choice([f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}/{m:02d}/{d:02d}"])) + r.choice([" 기준", "에 발표", ""])
        elif kind == "fw_product":
            phrase = r.choice(["모델 ", "품번 ", "코드 "]) + full_width(r.choice([f"SM-{r.choice('GNA')}{self.digits(3)}{r.choice('NK')}", f"AB-{self.digits(4)}-{self.digits(4)}", f"KX{self.digits(6)}"]))
        elif kind == "public_figure":
            name = self.fake.name()
            return [keep(name, "public_figure"), r.choice([" 대통령은 오늘", " 기자 = 정부는", " 의원이 말했다", " 장관은 이날", " 감독의 신작", " 교수 연구팀은"])]
        elif kind == "byline":  # a reporter's name and e-mail: the e-mail is redacted, the name stays
            return [keep(self.fake.name(), "byline"), r.choice([" 기자 ", " 기자 (", " 특파원 "]), pii(self.fake.free_email(), "email", "plain")]
        elif kind == "english_at":
            phrase = r.choice(["available at amazon.com", "meet at lotte.co.kr", "look at this", "sold at coupang.com today"])
        elif kind == "name_prose":
            phrase = r.choice(["그 이름 하나만으로 충분하다", "이름 모를 꽃", "성명서를 발표했다", "이름을 불러 주세요", "담당자 배정 중입니다", "받는 분 주소를 적어 주세요"])
        else:
            phrase = f"{r.randint(1, 99)}:{r.randint(1, 99)} 비율"
        return [keep(phrase, kind)]


# ----------------------------------------------------------------------------- phrases: (before, after) per type

_T = {
    "rrn": [("주민등록번호: ", ""), ("주민번호 ", " 입니다"), ("본인 확인용 주민등록번호 ", "를 입력했어요"), ("", "로 가입했습니다"), ("제 번호는 ", "예요"), ("", "")],
    "frn": [("외국인등록번호: ", ""), ("외국인등록번호 ", " 로 조회"), ("등록번호 ", " 입니다"), ("", "")],
    "phone": [("연락처: ", ""), ("전화 ", "로 연락주세요"), ("문의 ", ""), ("", " 으로 문자 주세요"), ("휴대폰 ", " 입니다"), ("", ""), ("팩스 ", "")],
    "phone_hangul": [("연락처: ", ""), ("전화 ", "로 연락주세요"), ("핸드폰 ", " 입니다"), ("폰 ", "이에요"), ("문의 ", ""), ("연락 주실 번호 ", "")],
    "email": [("이메일: ", ""), ("", "으로 보내주세요"), ("메일 주소는 ", " 입니다"), ("", ""), ("문의: ", "")],
    "card": [("카드번호 ", ""), ("결제 카드: ", " (유효기간 12/27)"), ("", " 로 결제했습니다"), ("", "")],
    "passport": [("여권번호 ", ""), ("여권 번호는 ", " 입니다"), ("passport no. ", "")],
    "driver_license": [("운전면허번호 ", ""), ("면허번호: ", " 입니다"), ("", "")],
    "brn": [("사업자등록번호 ", ""), ("사업자번호: ", " 대표 홍길동"), ("", "")],
    "ip": [("접속 IP ", " 에서 로그인"), ("IP 주소: ", ""), ("", " 에서 접속했습니다"), ("서버 ", "")],
    "address": [("", "로 보내 주세요"), ("택배 받을 곳은 ", " 입니다"), ("", ""), ("저희 집은 ", "에 있어요"), ("", "에서 만나요")],
}


def _phrase(gen: Generators, typ: str, form: str) -> list[Part]:
    """The parts of one phrase holding one labelled value of ``typ`` written in ``form``."""
    rng = gen.rng
    if typ == "account":
        bank, number = gen.account(form)
        before, after = rng.choice(
            [(f"{bank} ", " 예금주 확인"), (f"입금 계좌: {bank} ", ""), ("계좌번호 ", f" ({bank})"), (f"{bank} 계좌 ", "로 송금 부탁드립니다"), ("통장 ", "")]
        )
        return [before, pii(number, typ, form), after]
    if typ == "address":
        before, after = rng.choice(_T["address"])
        parts = gen.address(form)
        if form == "labelled_road":
            return parts + [after]
        return [before] + parts + [after]
    if typ == "name":
        return _name_phrase(gen, form)
    make = {
        "rrn": lambda: gen.registration(False, form), "frn": lambda: gen.registration(True, form), "phone": lambda: gen.phone(form),
        "email": lambda: gen.email(form), "card": lambda: gen.card(form), "passport": lambda: gen.passport(form),
        "driver_license": lambda: gen.driver_license(form), "brn": lambda: gen.brn(form), "ip": lambda: gen.ip(form),
    }[typ]
    before, after = rng.choice(_T["phone_hangul" if (typ, form) == ("phone", "hangul") else typ])
    return [before, pii(make(), typ, form), after]


def _name_phrase(gen: Generators, form: str) -> list[Part]:
    r = gen.rng
    name = gen.name()
    end = r.choice(["", ".", ",", "\n"])  # a name after a value ends the phrase

    def phone():
        return pii(gen.phone("hyphen"), "phone", "hyphen")

    if form == "label":
        return [r.choice([f"{l}: " for l in NAME_LABELS_USED[:9]] + [f"{l} " for l in NAME_LABELS_USED[:9]]), pii(name, "name", form), r.choice(["", " 님", " (본인)", " 확인"])]
    if form == "label_copula":
        return [r.choice(["제 이름은 ", "이름은 ", "성함은 ", "제 성함은 "]), pii(name, "name", form), r.choice(["입니다", "이에요", "이고요", "입니다."])]
    if form == "before_phone":
        return [pii(name, "name", form), r.choice([" ", "(", ": ", " / ", " - "]), phone(), r.choice(["", ")"])]
    if form == "title_before_phone":
        return [pii(name, "name", form), " " + r.choice(["과장", "팀장", "대리", "실장님", "님", "사장님"]) + r.choice([" ", " (", ": "]), phone()]
    if form == "after_phone":
        return [r.choice(["연락처 ", "", "문의 "]), phone(), r.choice([" (", " / ", ", ", " "]), pii(name, "name", form), r.choice([")", end])]
    if form == "after_account":
        bank, number = gen.account("hyphen")
        return [f"{bank} ", pii(number, "account", "hyphen"), r.choice([" ", " / ", " ("]), pii(name, "name", form), r.choice([")", end])]
    if form == "before_email":
        return [pii(name, "name", form), r.choice([" ", " <", " / ", "("]), pii(gen.email("plain"), "email", "plain"), r.choice(["", ">", ")"])]
    # before_address
    return [pii(name, "name", form), r.choice([" / ", ", ", " "]), keep(f"{gen.region()} {gen.road()} ", "address_region"), pii(gen.building_number(), "address", "road")]


def build_eval_set(n_per_form: int = 100, n_plain: int = 500, seed: int = 20261122, sentences: list[str] | None = None) -> list[EvalDoc]:
    """``n_per_form`` documents per (type, written form) (one value each, two for the name forms
    beside a value; 70% with a hard negative too), plus ``n_plain`` documents with only real text and
    hard negatives."""
    sentences = sentences if sentences is not None else load_sentences(seed=seed)
    if not sentences:
        return []
    gen = Generators(seed)
    rng = gen.rng
    plan: list[tuple[str, str] | None] = [(t, f) for t in TYPES for f in FORMS[t] for _ in range(n_per_form)] + [None] * n_plain
    rng.shuffle(plan)
    return [_document(gen, rng.sample(sentences, rng.randint(1, 4)), form) for form in plan]


def _document(gen: Generators, sentences: list[str], form: tuple[str, str] | None) -> EvalDoc:
    """Sentences with the phrase for ``form`` and hard negatives inserted, spans recorded."""
    rng = gen.rng
    pieces: list[list[Part]] = [[s] for s in sentences]
    inserts: list[list[Part]] = []
    if form is not None:
        inserts.append(_phrase(gen, *form))
    if form is None or rng.random() < 0.7:
        for _ in range(rng.randint(1, 2) if form is None else 1):
            inserts.append(gen.negative())
    for ins in inserts:
        pieces.insert(rng.randint(0, len(pieces)), ins)
    doc = EvalDoc("", form=form)
    text: list[str] = []
    pos = 0
    for parts in pieces:
        if text:
            text.append(" ")
            pos += 1
        for part in parts:
            s = part if isinstance(part, str) else part[1]
            if isinstance(part, tuple) and part[0] == "pii":
                doc.spans.append((pos, pos + len(s), part[2], part[3]))
            elif isinstance(part, tuple):
                doc.keep.append((pos, pos + len(s.rstrip()), part[2]))
            text.append(s)
            pos += len(s)
    doc.text = "".join(text)
    return doc

"""Labelled PII evaluation set: generated Korean PII embedded in real Korean sentences.

Documents are 1-4 real sentences from ``../shared/corpora`` (UD Korean, news
comments, movie reviews) with templated phrases inserted between them. Each
inserted PII value is a labelled span ``(start, end, type)``; hard negatives
(dates, prices, order and parcel numbers, ISBNs, barcodes, phone-like product
codes, passport-shaped part codes, business phone numbers, long numeric IDs with
and without a label,
private IPs, version numbers, times) are inserted unlabelled. Source sentences that already hold something
PII-like (an '@', or 7+ digits in a short run) are left out, so no unlabelled
real PII is scored as a false positive.

Values come from Faker's ``ko_KR`` locale (phones, e-mails, cards) and from the
generators below (RRN/FRN with real birth dates, half of them with the pre-2020
check digit; bank accounts by bank format; passports; licences; BRNs; IPs).
The set is generated, never checked in: ``build_eval_set(seed=...)`` is
deterministic for a given seed, Faker version and corpus files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

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

TYPES = ("rrn", "frn", "phone", "email", "card", "account", "passport", "driver_license", "brn", "ip")


@dataclass
class EvalDoc:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # gold PII: start, end, type
    negatives: list[str] = field(default_factory=list)  # hard-negative kinds inserted


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


# ----------------------------------------------------------------------------- value generators


class Generators:
    """PII values and hard negatives, seeded."""

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

    def registration(self, foreigner: bool) -> str:
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
        r = self.rng.random()
        return d if r < 0.15 else (f"{d[:6]} - {d[6:]}" if r < 0.2 else f"{d[:6]}-{d[6:]}")

    def phone(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.fake.phone_number()
        mobile = f"010-{self.rng.randint(2000, 9999)}-{self.digits(4)}"
        if r < 0.6:
            return mobile.replace("-", self.rng.choice([" ", ".", ""]))
        if r < 0.7:
            return self.rng.choice(["+82 ", "+82-", "+82", "0082-"]) + mobile[1:].replace("-", self.rng.choice(["-", " "]))
        if r < 0.8:
            return f"0{self.rng.choice(['502', '504', '505', '507'])}-{self.digits(4)}-{self.digits(4)}"
        if r < 0.9:
            return f"070-{self.digits(4)}-{self.digits(4)}"
        return f"({self.rng.choice(['02', '031', '051', '062'])}) {self.rng.randint(200, 999)}-{self.digits(4)}"

    def email(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.fake.free_email()
        if r < 0.7:
            return self.fake.company_email()
        user = self.fake.user_name()
        return f"{user}@{self.rng.choice(['kakao.com', 'korea.kr', 'snu.ac.kr', 'kaist.ac.kr', 'seoul.go.kr', 'samsung.co.kr', 'naver.com'])}"

    def card(self) -> str:
        if self.rng.random() < 0.15:  # Korean domestic-only card
            payload = "94" + self.digits(13)
            number = payload + str(luhn_check_digit(payload))
        else:
            kind = self.rng.choice(["mastercard", "visa16", "visa13", "visa19", "amex", "discover", "diners", "jcb15", "jcb16"])
            number = self.fake.credit_card_number(kind)
        style = self.rng.choice(["-", " ", "", "-"])
        n = len(number)
        if not style:
            return number
        if n == 15:
            return f"{number[:4]}{style}{number[4:10]}{style}{number[10:]}"
        if n == 14:
            return f"{number[:4]}{style}{number[4:10]}{style}{number[10:]}"
        return style.join(number[i : i + 4] for i in range(0, n, 4))

    ACCOUNT_FORMATS = {
        "국민은행": (6, 2, 6), "신한은행": (3, 3, 6), "우리은행": (4, 3, 6), "하나은행": (3, 6, 5),
        "농협": (3, 4, 4, 2), "기업은행": (3, 6, 2, 3), "카카오뱅크": (4, 2, 7), "토스뱅크": (4, 4, 4),
        "케이뱅크": (3, 3, 6), "우체국": (6, 2, 6), "SC제일은행": (3, 2, 6), "새마을금고": (4, 2, 6, 1),
    }

    def account(self) -> tuple[str, str]:
        bank = self.rng.choice(list(self.ACCOUNT_FORMATS))
        groups = [self.digits(n) for n in self.ACCOUNT_FORMATS[bank]]
        groups[0] = str(self.rng.randint(1, 9)) + groups[0][1:]
        return bank, ("-".join(groups) if self.rng.random() < 0.8 else "".join(groups))

    def passport(self) -> str:
        letter = self.rng.choice("MMMMSRODM")
        if self.rng.random() < 0.5:
            return f"{letter}{self.digits(8)}"
        return f"{letter}{self.digits(3)}{self.rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{self.digits(4)}"

    def driver_license(self) -> str:
        yy, serial, check = self.digits(2), self.digits(6), self.digits(2)
        if self.rng.random() < 0.3:
            return f"{self.rng.choice(DRIVER_LICENSE_REGION_NAMES)} {yy}-{serial}-{check}"
        region = self.rng.choice([str(c) for c in range(11, 27)] + ["28"])
        return f"{region}-{yy}-{serial}-{check}"

    def brn(self) -> str:
        first9 = str(self.rng.randint(101, 899)) + self.digits(6)
        d = first9 + str(brn_check_digit(first9))
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    def ip(self) -> str:
        while True:
            if self.rng.random() < 0.7:
                addr = ipaddress.IPv4Address(self.rng.getrandbits(32))
            else:
                addr = ipaddress.IPv6Address((0x2 << 124) | self.rng.getrandbits(124) & ((1 << 125) - 1))
                if self.rng.random() < 0.5:  # a compressible address, as servers usually are
                    addr = ipaddress.IPv6Address(int(addr) & ~((1 << 64) - 1) | self.rng.getrandbits(16))
            if addr.is_global and not addr.is_multicast and not (addr.version == 4 and max(addr.packed) < 10):
                return addr.compressed

    # ------------------------------------------------------------------ hard negatives

    def negative(self) -> tuple[str, str]:
        """(kind, phrase) of something number-like that is not personal information."""
        r = self.rng
        y, m, d = r.randint(1990, 2025), r.randint(1, 12), r.randint(1, 28)
        kind = r.choice(
            ["date", "price", "order", "order_rrn_shape", "isbn", "barcode", "product", "business_phone",
             "long_id", "parcel", "private_ip", "version", "time", "account_no_context", "ratio", "unlabelled_id", "letter_code"]
        )
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
        else:
            phrase = f"{r.randint(1, 99)}:{r.randint(1, 99)} 비율"
        return kind, phrase


# ----------------------------------------------------------------------------- templates: (before, after)

_T = {
    "rrn": [("주민등록번호: ", ""), ("주민번호 ", " 입니다"), ("본인 확인용 주민등록번호 ", "를 입력했어요"), ("", "로 가입했습니다"), ("제 번호는 ", "예요"), ("", "")],
    "frn": [("외국인등록번호: ", ""), ("외국인등록번호 ", " 로 조회"), ("등록번호 ", " 입니다"), ("", "")],
    "phone": [("연락처: ", ""), ("전화 ", "로 연락주세요"), ("문의 ", ""), ("", " 으로 문자 주세요"), ("휴대폰 ", " 입니다"), ("", ""), ("팩스 ", "")],
    "email": [("이메일: ", ""), ("", "으로 보내주세요"), ("메일 주소는 ", " 입니다"), ("", ""), ("문의: ", "")],
    "card": [("카드번호 ", ""), ("결제 카드: ", " (유효기간 12/27)"), ("", " 로 결제했습니다"), ("", "")],
    "passport": [("여권번호 ", ""), ("여권 번호는 ", " 입니다"), ("passport no. ", "")],
    "driver_license": [("운전면허번호 ", ""), ("면허번호: ", " 입니다"), ("", "")],
    "brn": [("사업자등록번호 ", ""), ("사업자번호: ", " 대표 홍길동"), ("", "")],
    "ip": [("접속 IP ", " 에서 로그인"), ("IP 주소: ", ""), ("", " 에서 접속했습니다"), ("서버 ", "")],
}


def _phrase(gen: Generators, typ: str) -> tuple[str, str, str]:
    """(before, value, after) for one labelled PII value."""
    rng = gen.rng
    if typ == "account":
        bank, number = gen.account()
        before, after = rng.choice(
            [(f"{bank} ", " 예금주 홍길동"), (f"입금 계좌: {bank} ", ""), ("계좌번호 ", f" ({bank})"), (f"{bank} 계좌 ", "로 송금 부탁드립니다"), ("통장 ", "")]
        )
        return before, number, after
    value = {
        "rrn": lambda: gen.registration(False), "frn": lambda: gen.registration(True), "phone": gen.phone,
        "email": gen.email, "card": gen.card, "passport": gen.passport, "driver_license": gen.driver_license,
        "brn": gen.brn, "ip": gen.ip,
    }[typ]()
    before, after = rng.choice(_T[typ])
    return before, value, after


def build_eval_set(n_per_type: int = 400, n_plain: int = 500, seed: int = 20261122, sentences: list[str] | None = None) -> list[EvalDoc]:
    """``n_per_type`` documents per PII type (one labelled value each, 70% with a hard negative too),
    plus ``n_plain`` documents with only real text and hard negatives."""
    sentences = sentences if sentences is not None else load_sentences(seed=seed)
    if not sentences:
        return []
    gen = Generators(seed)
    rng = gen.rng
    plan = [t for t in TYPES for _ in range(n_per_type)] + [None] * n_plain
    rng.shuffle(plan)
    docs: list[EvalDoc] = []
    for typ in plan:
        pieces: list[tuple[str, str | None]] = [(s, None) for s in rng.sample(sentences, rng.randint(1, 4))]
        inserts: list[tuple[str, str | None, str, str]] = []  # before, value, after, type
        if typ is not None:
            before, value, after = _phrase(gen, typ)
            inserts.append((before, value, after, typ))
        negatives = []
        if typ is None or rng.random() < 0.7:
            for _ in range(rng.randint(1, 2) if typ is None else 1):
                kind, phrase = gen.negative()
                negatives.append(kind)
                inserts.append((phrase, None, "", ""))
        for ins in inserts:
            pieces.insert(rng.randint(0, len(pieces)), ("", ins))  # type: ignore[arg-type]
        text, spans = "", []
        for sentence, ins in pieces:
            text += " " if text else ""
            if ins is None:
                text += sentence
                continue
            before, value, after, t = ins  # type: ignore[misc]
            text += before
            if value is not None:
                spans.append((len(text), len(text) + len(value), t))
                text += value
            text += after
        docs.append(EvalDoc(text, spans, negatives))
    return docs

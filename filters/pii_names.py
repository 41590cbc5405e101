"""Korean personal names that sit with contact details: the ``name`` PII type.

Names in general are not redacted: public figures in the news (``문재인 대통령은``), authors
and characters stay. A name is redacted only where the text makes it a contact:

- right after a contact label: ``성명: 홍길동``, ``예금주 홍길동``, ``받는 분 김철수``,
  ``이름은 홍길동입니다`` (:data:`NAME_LABELS`);
- right beside a detected phone, account, address or e-mail value, with only spaces or
  ``( ) : / , | - < [`` between, and optionally a workplace title between the name and the
  value: ``홍길동 010-1234-5678``, ``김철수 과장 (010-...)``, ``국민은행 123-456-789012 홍길동``,
  ``010-1234-5678 (홍길동)``; before an address the name stands before its region. Beside a
  value the given name must be a popular one (:data:`COMMON_GIVEN_NAMES`) or two syllables
  that both occur in popular given names (:data:`COMMON_NAME_SYLLABLES`: 서율, 예주, 지철;
  not 담실 or 무실, so 상담실 and 사무실 stay), and a name after a value with only a space
  before it must end the phrase (end of text, punctuation, or a non-Hangul character next):
  ``010-1234-5678 오늘 ...`` is not a name. After an account number the word that follows is
  its holder even when more text follows (``국민은행 123-456-789012 홍길동 오후 5시까지``);
  after an e-mail address only a popular given name counts (names come before addresses:
  ``홍길동 <hong@...>``), and a name followed by ``(`` is a person described, as in a news
  quote (``010-... 홍길동(서울대 교수)``), not a contact.

A press or public title between the name and the value keeps the name
(:data:`PUBLIC_TITLES`): the byline ``홍길동 기자 hong@yna.co.kr`` becomes
``홍길동 기자 <|email|>``; ``홍길동 기자 010-...`` keeps the name too. Workplace titles
(과장, 팀장, 대표 ...) do not: ``홍길동 과장 010-...`` is a contact.

A name is 2-4 Hangul syllables: a common one-syllable surname (:data:`SURNAMES`) and one or
two given-name syllables, or a two-syllable surname (:data:`DOUBLE_SURNAMES`) and one or
two; given-name syllables come from :data:`GIVEN_SYLLABLES`, and the word is not a common
word (:data:`NOT_NAMES`). Three-syllable given names (rare) are not matched, which keeps
four-syllable words such as 신한은행 out. A particle or copula glued to it is stripped
(``홍길동입니다`` -> ``홍길동``); a one-syllable particle only when the word is longer than 3
syllables, so ``김지은`` stays whole and ``김구가`` is redacted whole (one particle too many).
"""

from __future__ import annotations

import re

from kocorpus.filters.pattern_lists import trie_alternation, word_alternation

#: Single-syllable surnames (114 of them; together well over 99% of the population).
SURNAMES: frozenset[str] = frozenset(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노 하 곽 성 차 주 우 구 "
    "민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 라 왕 금 옥 육 인 맹 제 모 "
    "탁 국 어 은 편 용 예 경 봉 사 부 태 목 형 계 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 상 갈 단 견 당 화 창 옹 순".split()
)
#: Two-syllable surnames.
DOUBLE_SURNAMES: frozenset[str] = frozenset("남궁 황보 제갈 선우 서문 독고 사공 동방 어금 망절".split())

#: Syllables used in given names (Sino-Korean name characters and common native names).
GIVEN_SYLLABLES: frozenset[str] = frozenset(
    "가 각 간 갑 강 건 걸 검 겸 경 계 고 곤 공 관 광 교 구 국 군 권 귀 규 균 근 금 기 길 나 낙 난 남 내 녀 노 누 늘 "
    "다 단 달 담 대 덕 도 돈 동 두 둘 득 라 락 란 람 랑 래 량 려 련 렬 령 례 로 록 뢰 룡 루 류 륜 률 륭 름 리 린 림 "
    "마 만 매 맹 면 명 모 목 몽 무 묵 문 미 민 밀 바 박 반 발 방 배 백 범 벽 별 병 보 복 본 봉 부 분 비 빈 빛 "
    "사 산 삼 상 새 샘 생 서 석 선 설 섬 섭 성 세 소 솔 송 수 숙 순 술 숭 슬 승 시 식 신 실 심 아 악 안 애 앵 야 양 "
    "어 억 언 엄 업 여 역 연 열 염 엽 영 예 오 옥 온 옹 완 왕 요 용 우 욱 운 울 웅 원 월 위 유 육 윤 율 융 은 음 "
    "응 의 이 익 인 일 임 자 작 잔 장 재 저 적 전 절 점 정 제 조 종 주 준 중 즙 증 지 직 진 질 집 징 찬 찰 창 채 "
    "책 처 천 철 첨 청 초 총 추 춘 출 충 취 치 칠 침 탁 탄 태 택 토 통 판 팔 평 표 풍 필 하 학 한 할 함 해 행 향 "
    "허 헌 혁 현 협 형 혜 호 혼 홍 화 확 환 활 황 회 효 후 훈 휘 휴 흠 흥 희 힘".split()
)

#: Popular given names across birth decades (1940s-2010s), from public birth-name statistics:
#: a name beside a contact value must have one of these (the word beside a value is often just the next word).
COMMON_GIVEN_NAMES: frozenset[str] = frozenset(
    """
    영수 영자 정숙 순자 영희 영호 영식 영철 정자 춘자 경자 옥순 명숙 순희 정순 말순 정희 영순 광수 상철 성수 종수 정수 영길
    만수 미숙 미경 경숙 영숙 정미 현숙 은숙 명희 혜숙 성호 영진 정호 진호 성진 동수 상훈 성민 재호 기순 순옥 정애 은주 미영
    은정 지영 현주 미정 혜진 정은 은영 선영 수진 지현 성훈 정훈 상현 준호 동현 재훈 현철 진우 지은 민정 은지 유진 미진 민수
    지훈 현우 정민 민호 재현 상우 지혜 은혜 수연 민지 수빈 지원 예지 수민 준영 민재 성현 도현 준혁 승현 민석 지수 은비 하늘
    민준 서연 민서 서현 지민 건우 준서 예은 지우 도윤 하은 주원 윤서 시우 채원 서준 하준 예준 지호 지후 준우 은우 하윤 서윤
    지안 지유 하린 서아 아린 수아 이서 유나 연우 시윤 지아 아윤 윤우 우진 선우 현준 서진 유준 승우 로운 이안 철수 길동 영미
    영민 성철 경수 경민 경호 경희 미란 미라 혜원 혜정 혜린 지연 지선 지예 지나 나연 나은 다은 다현 다인 가은 가윤 소연 소윤
    소희 수정 수현 수희 승민 승연 승아 시은 시연 아름 아영 연희 예린 예원 예진 윤아 윤희 은서 은채 은경 은아 은진 재민 재원
    재희 정연 정원 정현 정우 종현 주연 주희 준수 준희 진영 진주 채윤 태민 태현 태희 한별 현아 현지 현정 혜미 효진 효주 희정
    희진 상민 상욱 상진 성우 성준 세영 세진 세희 승훈 영훈 용수 용준 우현 원준 유리 윤정 인영 인호 재석 재성 재영 정환 종민
    주현 준기 지웅 진혁 창민 태식 태양 태호 한결 현석 현수 형준 혜수 홍석 동욱 동진 명수 명진 민혁 병철 석진 선미 선희 성희
    소영 수미 순영 숙자 연주 영애 영옥 옥자 용호 은희 정남 정란 종호 창호 혜영 상호 정식 정웅 중수 영일 영환 재웅 재혁 재준
    동훈 동하 동건 동원 민규 민우 민성 민기 민영 민희 민아 민경 수영 수경 수아 수지 서영 서희 서우 서율 시현 시원 시아 아라
    아진 예서 예나 예림 유빈 유정 유경 윤호 윤재 은수 은재 은별 의진 이준 인성 인수 재우 재윤 정아 정연 정화 주은 주하 주희
    준형 준석 준성 지성 지환 지완 지아 지율 진수 진희 채은 채린 태우 태윤 태준 하람 하율 하진 해진 현서 현민 현진 혜은 효정
    희수 희원 경아 경은 경진 광호 규리 규민 기현 남희 대현 대호 도영 도훈 동민 명호 문수 미연 미희 병호 보람 보영 보은 상수
    상원 석호 선영 선호 성경 성윤 세라 세원 소라 소민 송이 수호 순희 승기 승리 승철 시후 신영 애란 양희 연수 영란 영남 예슬
    옥희 용민 우석 원영 유미 윤수 은별 은숙 인혜 재경 재은 정길 정빈 종원 주영 준혁 지섭 지석 지용 진아 창수 철민 춘희 태경
    한나 한솔 현욱 형석 혜경 혜란 혜선 호준 효린 희경 명자 말자 순애 미자 복순 금순 정례 영애 춘희 봉수 갑수 판수
    """.split()
)

#: Syllables of the popular given names: a two-syllable given name made of these is name-like
#: enough beside a contact value.
COMMON_NAME_SYLLABLES: frozenset[str] = frozenset(c for name in COMMON_GIVEN_NAMES for c in name)

#: Common words shaped like a surname + given-name syllables (정보, 변경, 주소...): never names.
NOT_NAMES: frozenset[str] = frozenset(
    """
    정보 변경 주소 배정 전화 연락 연락처 문의 공개 기재 신청 확인 입력 성함 이름 본인 동일 미정 모름 없음 비공개 생략
    선택 필수 여부 등록 고객 고객님 담당 담당자 대표 대표자 본사 지점 회사 주식 기업 은행 계좌 예금 입금 송금 이체 통장
    카드 번호 휴대 휴대폰 핸드폰 이메일 메일 주민 주민번호 우편 우편번호 택배 배송 배송지 수령 수취 발송 주문 결제 금액
    오늘 내일 어제 지금 이번 다음 정말 진짜 조금 최고 최근 최대 최소 한번 한국 한때 전국 전체 전부 전혀 안녕 안내 안전
    이상 이하 이내 이후 이전 이번주 이미 이제 이유 이용 이야기 이름도 여기 여러분 여러 여자 여성 남자 남성 남편 남은
    우리 우선 우연 유명 유일 유지 유용 유효 성공 성명 성별 성인 성격 시간 시작 시민 신규 신분 신분증 심사 공지 공식
    공사 공유 공원 공부 장소 장난 장면 정상 정도 정리 정부 정식 정확 조건 조회 조사 주말 주의 주변 주인 주민센터
    지역 지원 지금도 진행 진료 차량 채널 천천히 추가 추천 표시 하루 하나 한분 한명 현재 현장 혹시 홍보 황당 강의
    강사 고민 고장 고등 구매 구입 국내 국민 금지 기간 기본 기존 기타 나중 남부 동네 동안 동의 동반 방문 방법 배달
    백화점 변호사 사장 사진 사랑 사람 상담 상품 상황 상태 서비스 서울 선생 선생님 설명 소개 소식 손님 송파 신청인
    안부 양식 양도 어디 연말 연세 염려 예약 예정 오전 오후 오빠 온라인 왕복 용도 운영 원래 원본 위치 은행원 음식
    인증 인원 임시 전달 전문 전송 제공 제목 제출 조심 주세요 지금은 차이 추후 탁송 태그 편지 편의 하단 한국인 해당
    허락 현금 형님 화면 확정 황금 모두 모든 모르 모집 모임 노선 노력 도움 도착 도로 마감 마을 명의 명함 목록 문자
    문제 민원 반품 방송 범위 부탁 부분 분실 사용 사이 사항 상세 상호 서명 석사 설정 소유 소재 수정 수신 승인 시설
    원하 위해 유선 육아 음성 이메일로 인터넷 전주 정산 제일 주간 지급 지정 진짜로 채용 최종 추첨 통화 편집 평일 필요
    하게 하고 하는 하면 하지 한다 할인 함께 현지 형식 호출 환불 회원 회신 후기 기자 의원 장관 대통령 교수 감독
    선수 코치 부서 직원 직장 사무실 연구원 학생 학부모 부모 부모님 어머니 아버지 엄마 아빠 가족 친구 동생 언니 누나
    석자 하나만 한자 한자어 나열 기적 여주 성의 기준 구간 문서 감성 반전 감동 하자 이번엔 최종 원문 구성 정신
    공휴일 공장 문자만 사무소 매장 본점 영업 영업소 지사 센터 안내소
    국민 신한 하나 농협 기업 산업 수협 신협 제일 씨티 부산 대구 경남 광주 전북 제주 카카오 토스 케이 우체국 새마을
    이고 이며 이나 이다 이요 이라 이랑 이면 이자 이지 이네 이죠 이에 이와 이여 도로 로고
    당신 당신은 당신이 조금 조금도 이미지
    형 아들 딸 남친 여친 본명 실명 가명 별명 닉네임 아이디 비번 비밀번호 계정 공란 빈칸 미기재 미입력 기입
    """.split()
)

#: Ordinary words that label a name only in a form: a colon, "=" or "(" after them, or
#: "은/는" and a name with a copula (이름은 홍길동입니다). "그 이름 하나만으로" is prose.
WORD_LABELS: tuple[str, ...] = ("이름",)
#: Form labels after which a name is a contact's name (a space is enough).
NAME_LABELS: tuple[str, ...] = WORD_LABELS + (
    "성명", "성함", "담당자", "예금주", "받는 사람", "받는사람", "받는 분", "받는분", "보내는 사람", "보내는사람",
    "보내는 분", "보내는분", "받으시는 분", "받으시는분", "보내시는 분", "보내시는분", "받으실 분", "신청인", "신청자", "보호자", "수취인", "수령인", "수령자", "주문자", "고객명", "환자명", "대표자",
    "작성자", "예약자", "가입자", "명의자", "계약자", "의뢰인", "연락 담당", "문의처",
)
#: Workplace and polite titles that may stand between a name and its contact value.
TRANSPARENT_TITLES: tuple[str, ...] = (
    "님", "씨", "고객님", "고객", "과장", "과장님", "대리", "부장", "부장님", "차장", "팀장", "팀장님", "실장", "실장님", "주임",
    "사원", "매니저", "대표", "대표님", "사장", "사장님", "원장", "원장님", "선생님", "간호사", "상담사", "담당",
)
#: Press and public titles: a name with one of these is a public role, kept even beside a contact.
PUBLIC_TITLES: tuple[str, ...] = (
    "기자", "특파원", "앵커", "논설위원", "대변인", "의원", "장관", "대통령", "총리", "시장", "지사", "교수", "감독", "작가",
)

# Suffixes glued to a name: stripped from the right (multi-syllable always, one-syllable only from a long word).
_LONG_SUFFIXES = ("입니다", "이에요", "이예요", "예요", "이고요", "이고", "이며", "님께서", "님께", "님이", "님은", "님의", "님을", "님", "씨", "께서", "에게", "한테", "으로", "이라고", "라고")
_SHORT_SUFFIXES = "은는이가을를의께와과로도"

_HANGUL_RUN = re.compile("[가-힣]+")


#: A label and what may separate it from the name: ``:``, ``=``, ``(``, a space, or 은/는 and a space.
LABEL = re.compile(
    rf"(?:(?P<word>{trie_alternation(WORD_LABELS)})|{trie_alternation(set(NAME_LABELS) - set(WORD_LABELS))})"
    r"(?:(?P<strong>[ ]*[:=][ ]*|[ ]*\([ ]*)|(?P<topic>[은는][ ]+)|[ ]+)"
)
#: Short pieces one of which every label contains: one literal alternation searched before the
#: label scan (about 5x cheaper than :data:`LABEL` on a text without a label).
_LABEL_KEYS = tuple(sorted({w if len(w) <= 2 else w[:2] for w in NAME_LABELS}))
_LABEL_KEY = re.compile(word_alternation(_LABEL_KEYS))
_COPULA = ("입니다", "이에요", "이예요", "예요", "이고", "이며", "이라고", "라고")
_STRONG = r"[ ]*[(:/|\[<\-][ ]*"  # a separator that sets the name off from the value
#: Name (and title) ending right before a value: searched in a window anchored at its end.
BEFORE_VALUE = re.compile(
    rf"(?<![가-힣])(?P<name>[가-힣]{{2,4}}?)(?:[ ]?(?P<title>{trie_alternation(TRANSPARENT_TITLES + PUBLIC_TITLES)}))?(?:(?P<strong>{_STRONG})|[ ]*,?[ ]*)$"
)
#: Name right after a value; ``end`` when it also ends the phrase.
AFTER_VALUE = re.compile(
    rf"(?:(?P<strong>{_STRONG}|[ ]*,[ ]*)|[ ]+)(?:(?:예금주|명의)[ ]*[:]?[ ]*)?(?P<name>[가-힣]{{2,4}})"
    rf"(?:(?P<end>$|[^가-힣 ]|[ ]+[^가-힣]|[ ]*(?:님|씨)(?![가-힣]))|(?=[ ]))"
)
_PUBLIC = frozenset(PUBLIC_TITLES)
NOT_NAMES = NOT_NAMES | frozenset(TRANSPARENT_TITLES) | _PUBLIC  # 원장: 010-... is a title, not a name
_PUBLIC_AFTER = re.compile(rf"[ ]?\(?(?:{trie_alternation(PUBLIC_TITLES)})")
_DESCRIBED = re.compile(r"[ ]?\(")  # 홍길동(서울대 교수): a person described, as in a news quote


def name_end(text: str, start: int) -> int | None:
    """End of the personal name that starts at ``text[start]``, or None when the word there is not one.

    The word is the Hangul run at ``start``; glued particles are stripped (see module docstring).
    """
    m = _HANGUL_RUN.match(text, start)
    if m is None:
        return None
    word = m.group()
    changed = True
    while changed and len(word) > 2:
        changed = False
        for suf in _LONG_SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 2:
                word = word[: -len(suf)]
                changed = True
                break
    longest = 4 if word[:2] in DOUBLE_SURNAMES else 3
    if len(word) > longest and word[-1] in _SHORT_SUFFIXES:
        word = word[:-1]
    return start + len(word) if is_name(word) else None


#: Last syllables of a particle or an ending (사진이, 지금의, 채운다): a word of popular name
#: syllables that ends in one is a word with its particle, unless the given name itself is popular.
_PARTICLE_ENDINGS = frozenset("이가의을를로만다요고와과에")


def _popular(name: str, syllables: bool = True) -> bool:
    """True when the given-name part of ``name`` is a popular given name, or (with ``syllables``)
    two syllables of popular ones that do not end like a particle (see :data:`COMMON_NAME_SYLLABLES`)."""
    given = name[2:] if len(name) >= 3 and name[:2] in DOUBLE_SURNAMES else name[1:]
    if given in COMMON_GIVEN_NAMES:
        return True
    return syllables and len(given) == 2 and given[0] in COMMON_NAME_SYLLABLES and given[1] in COMMON_NAME_SYLLABLES and given[1] not in _PARTICLE_ENDINGS


def is_name(word: str) -> bool:
    """True for a 2-4 syllable Korean personal name (surname + given-name syllables, not a common word)."""
    n = len(word)
    if not 2 <= n <= 4 or word in NOT_NAMES:
        return False
    if n >= 3 and word[:2] in DOUBLE_SURNAMES:
        given = word[2:]
    elif word[0] in SURNAMES and n <= 3:  # one-syllable surname + a 1-2 syllable given name
        given = word[1:]
    else:
        return False
    return all(c in GIVEN_SYLLABLES for c in given)


class NameFinder:
    """Contact names: after a label, or beside a contact value (see module docstring).

    Args:
        window: characters searched before a value for a name and title.
    """

    def __init__(self, window: int = 16):
        self.window = window

    def after_labels(self, text: str) -> list[tuple[int, int]]:
        """Spans of names right after a contact label."""
        out: list[tuple[int, int]] = []
        key = _LABEL_KEY.search(text)
        done = 0  # labels do not overlap: the next one starts after the last
        while key is not None:
            # Every label starts with a key, so a label is tried only where a key starts (LABEL
            # itself has no first character to skip to and costs about 5 µs a search).
            m = LABEL.match(text, key.start()) if key.start() >= done else None
            key = _LABEL_KEY.search(text, key.start() + 1)
            if m is None:
                continue
            done = m.end()
            if m.start() and "가" <= text[m.start() - 1] <= "힣":
                continue  # inside a longer word
            end = name_end(text, m.end())
            if end is None:
                continue
            if m.group("word") and not m.group("strong"):
                if not (m.group("topic") and text.startswith(_COPULA, end)):
                    continue  # 이름 하나만으로, 이름은 소취.: prose, not a form
            out.append((m.end(), end))
        return out

    def beside(self, text: str, start: int, end: int, anchor: str = "phone") -> list[tuple[int, int]]:
        """Spans of names right before (and, unless ``anchor`` is an address, right after) the
        ``anchor`` value ``text[start:end]`` (``phone``, ``account``, ``email`` or ``address``).

        The given name must be popular (see :func:`_popular`; after an e-mail address, a popular
        given name itself): the word next to a value is often just the next word
        (``010-... / 반면``). After the value, a name with only a space before it must also end
        its phrase, unless the value is an account number (the holder's name follows it).
        After an address comes its reference part ``(역삼동)``, not a name.
        """
        out = []
        m = BEFORE_VALUE.search(text, max(0, start - self.window), start)
        if m is not None and m.group("title") not in _PUBLIC:
            name = m.group("name")
            if is_name(name) and _popular(name):
                out.append(m.span("name"))
        if anchor != "address":
            m = AFTER_VALUE.match(text, end)
            if m is not None and not _PUBLIC_AFTER.match(text, m.end("name")) and not _DESCRIBED.match(text, m.end("name")):
                name = m.group("name")
                popular = _popular(name, syllables=anchor != "email")
                if is_name(name) and popular and (anchor == "account" or m.group("strong") or m.group("end") is not None):
                    out.append(m.span("name"))
        return out

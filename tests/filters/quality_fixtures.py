"""Hand-written documents for the quality tests: one good document and, per rule, one written to break it.

Every variant starts from ``GOOD`` (a short news-style text that passes the
default profile) and changes one thing. ``EXPECTED`` is the table of outcomes
reasoned out by hand: the reason code the default profile must give, or None.
"""

GOOD_LINES = [
    "서울시는 올해 시민 공원을 새로 단장하고 산책로를 넓혔다고 밝혔다.",
    "공원에는 어린이 놀이터와 작은 도서관이 함께 들어섰다.",
    "주민들은 주말마다 가족과 함께 공원을 찾아 휴식을 즐긴다.",
    "시는 내년에도 나무를 더 심고 쉼터를 늘릴 계획이다.",
    "관계자는 시민의 의견을 모아 공원을 계속 가꾸겠다고 말했다.",
]
GOOD = "\n".join(GOOD_LINES)

NOUNS = (
    "사과 배 포도 수박 참외 딸기 감귤 자두 살구 앵두 복숭아 호두 밤나무 대추 석류 레몬 키위 망고 "
    "바나나 파인애플 블루베리 체리 라임 코코넛 두리안 용과 리치 구아바 파파야 무화과 오렌지 자몽 "
    "멜론 모과 유자 매실 오디 머루 다래 으름 보리수 산딸기 구기자 오미자 복분자 한라봉 천혜향 "
    "레드향 황금향 금귤 청포도 거봉 샤인머스캣"
).split()

DOCS: dict[str, str] = {
    "good": GOOD,
    # Korean rules
    "empty_text": "공유하기 페이스북 트위터\n무단 전재 및 재배포 금지\n홈 | 뉴스 | 스포츠 | 연예",
    "min_chars": "좋은 영화였다.",
    "min_words": "서울특별시시민공원관리사업소는올해시민공원을새로단장하였다.\n공원에는어린이놀이터와작은도서관이함께들어섰다고밝혔다.",
    "hangul_ratio": GOOD
    + "\nThe city renovated the public park this year and widened the walking paths for residents."
    + "\nA playground and a small library opened in the park, and families visit it every weekend.",
    "jamo_noise": GOOD + "\n진짜 좋다 ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ ㅠㅠㅠㅠㅠㅠ.",
    "spam_keywords": GOOD + "\n카지노 바카라 토토 사이트 먹튀검증 완료, 파워볼 첫충 보너스 지급.",
    # FineWeb-2 rules without words
    "line_punct_thr": GOOD.replace(".", ""),
    "dup_line_frac": GOOD + "\n감사합니다.\n감사합니다.\n감사합니다.\n감사합니다.\n감사합니다.",
    "char_duplicates_ratio": GOOD
    + "\n자세한 내용은 시청 누리집의 공원 안내 게시판에서 확인할 수 있다.\n"
    + "자세한 내용은 시청 누리집의 공원 안내 게시판에서 확인할 수 있다.",
    "max_bullet_lines_ratio": "\n".join("- " + line for line in GOOD_LINES),
    "max_ellipsis_lines_ratio": "\n".join(
        line[:-1] + "..." if i < 2 else line for i, line in enumerate(GOOD_LINES)
    ),
    # FineWeb-2 rules on Kiwi words
    "top_2_gram": GOOD + "\n" + " ".join(f"대한민국 정부 {n}" for n in NOUNS[:20]) + ".",
    "dup_5_gram": GOOD
    + "".join(f"\n{n}도 시민의 의견을 모아 계속 가꾸겠다고 말했다." for n in ("구청", "동사무소", "주민센터", "의회")),
    "new_line_ratio": GOOD + "\n" + "\n".join(NOUNS[:20]),
    "min_doc_words": "\n".join(GOOD_LINES[:2]),
    "max_avg_word_length": GOOD
    + "\n참고 번호는 "
    + " ".join(str(1234567890123456 + 7919 * i) for i in range(40))
    + "이다.",
    "max_symbol_word_ratio": GOOD + "\n" + " ".join("#" + n for n in NOUNS[:14]) + ".",
    "max_non_alpha_words_ratio": GOOD + "\n번호 " + " ".join(str(i) for i in range(10, 45)) + ".",
    "min_stop_words": "\n".join(" ".join(NOUNS[i : i + 10]) + "." for i in range(0, 50, 10)),
}

#: The default profile's expected verdict per document (None = kept).
EXPECTED: dict[str, str | None] = {name: (None if name == "good" else name) for name in DOCS}

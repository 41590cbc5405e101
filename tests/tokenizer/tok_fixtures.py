"""Korean fixture text for the tokenizer tests, generated here (no real corpora)."""

from __future__ import annotations

import random

NOUNS = ["학교", "회사", "정부", "도서관", "대학교", "시장", "병원", "경찰", "사람", "친구", "영화", "음식", "나라", "서울", "부산"]
PARTICLES = ["에서", "에게", "으로", "은", "이", "을", "의", "도", "만", "과"]
VERBS = ["갔습니다", "했습니다", "먹었다", "보았다", "만들었습니다", "좋아한다", "읽었다", "공부했다", "말했습니다", "살았다"]
EXTRA = ["오늘", "어제", "그리고", "하지만", "매우", "정말", "2024년", "10월", "ㅋㅋㅋ", "(주)", "AI", "漢字", "🙂"]


def attach(noun: str, particle: str) -> str:
    """noun + particle in the form its last syllable takes (을/를, 은/는, 이/가, 과/와, 으로/로)."""
    coda = (ord(noun[-1]) - 0xAC00) % 28
    if coda == 0 or (coda == 8 and particle == "으로"):  # open syllable, or ㄹ before 으로
        particle = {"을": "를", "은": "는", "이": "가", "과": "와", "으로": "로"}.get(particle, particle)
    return noun + particle


def fixture_text(n_sentences: int = 4000, seed: int = 7) -> list[str]:
    """Deterministic Korean sentences: noun+particle phrases, a verb with endings, some noise."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n_sentences):
        words = []
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.2:
                words.append(rnd.choice(EXTRA))
            words.append(attach(rnd.choice(NOUNS), rnd.choice(PARTICLES)))
        words.append(rnd.choice(VERBS) + rnd.choice([".", "!", "?", ""]))
        out.append(" ".join(words))
    # documents of several sentences, some with newlines and tabs
    docs = []
    for i in range(0, len(out), 4):
        docs.append(rnd.choice([" ", "\n", "\t"]).join(out[i : i + 4]))
    return docs

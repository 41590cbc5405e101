"""Small nightly fixtures written by the tests: Korean (and English) documents in dated drop folders."""

from __future__ import annotations

import json
import random
from pathlib import Path

PLACES = "서울 부산 대구 인천 광주 대전 울산 수원 전주 청주 춘천 강릉 제주 포항 창원 여수 목포 안동 경주 원주".split()
THINGS = "도서관 공원 시장 박물관 미술관 체육관 병원 학교 극장 정류장 수영장 전시회 축제 음악회 산책로 놀이터".split()
ACTS = [
    "새로 문을 열었다고 밝혔다",
    "주민들의 큰 관심을 받고 있다",
    "내년까지 시설을 넓힐 계획이다",
    "주말마다 방문객으로 붐빈다",
    "안전 점검을 모두 마쳤다고 전했다",
    "운영 시간을 저녁까지 늘리기로 했다",
    "지역 예술가들과 함께 행사를 준비했다",
    "어린이를 위한 교육 프로그램을 시작했다",
]
WHO = ["시청 관계자는", "구청장은", "주민 대표는", "담당 공무원은", "운영 위원회는", "지역 신문은"]
EN = [
    "The city council approved a new budget for public parks and libraries this year.",
    "Visitors crowded the museum on the weekend to see the new exhibition of modern art.",
    "Local officials said the bus station would be renovated before the winter season.",
    "The school opened a new program for children who want to learn music and painting.",
    "Residents asked for longer opening hours at the swimming pool during the summer.",
]


def korean_doc(rng: random.Random, n: int = 8) -> str:
    lines = []
    for _ in range(n):
        lines.append(
            f"{rng.choice(PLACES)} {rng.choice(THINGS)}은 {rng.randint(1, 12)}월 {rng.randint(1, 28)}일 "
            f"{rng.choice(ACTS)}. {rng.choice(WHO)} 이번 변화로 {rng.randint(10, 990)}명이 혜택을 본다고 말했다."
        )
    return "\n".join(lines)


def english_doc(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(EN) for _ in range(n))


def near_copy(text: str) -> str:
    """The same document with one figure changed: a near duplicate (Jaccard well above 0.8)."""
    i = text.rfind("명이")
    j = i - 1
    while j > 0 and text[j - 1].isdigit():
        j -= 1
    return text[:j] + str(int(text[j:i]) + 1) + text[i:]


def write_drop(drops: Path, date: str, docs: list[tuple[str, str]], name: str = "part-0.jsonl") -> Path:
    """Write ``(id, text)`` records as one JSONL object under ``drops/<date>/``."""
    path = drops / date / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text in docs:
            f.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    return path


def write_config(tmp: Path, gates: dict | None = None) -> Path:
    """A nightly config over ``tmp/drops`` with small tokenizer and shards."""
    gates = {"drop_rate_band": 0.3, **(gates or {})}
    gate_lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in gates.items())
    text = f"""
[run]
root = "{tmp / 'out'}"
seed = 7

[spark]
master = "local[2]"

[[sources]]
name = "web"
kind = "crawl"
license = "CC0-1.0"
format = "jsonl"
path = "{tmp / 'drops'}/**/*.jsonl"

[filter]
steps = ["normalize", "langid"]

[langid]
languages = ["ko"]
min_score = 0.65

[dedup]
threshold = 0.8

[tokenizer]
vocab_size = 400
sample_max_chars = 200000

[shards]
seq_len = 64
rows_per_shard = 32

[nightly]
publish_dir = "{tmp / 'published'}"
drops = "{tmp / 'drops'}"

[nightly.gates]
{gate_lines}
"""
    path = tmp / "nightly.toml"
    path.write_text(text, encoding="utf-8")
    return path

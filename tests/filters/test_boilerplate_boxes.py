"""BoilerplateLineRemover: link-box headings with their headline lists, long notices, Korean UI lines."""

from __future__ import annotations

import pytest

from kocorpus.filters.boilerplate import BoilerplateLineRemover

BODY = "서울시는 20일 한강 교량 11곳의 보도를 넓히겠다고 밝혔다."


@pytest.fixture(scope="module")
def remover():
    return BoilerplateLineRemover()


def test_a_box_heading_takes_its_headline_list_with_it(remover):
    text = "\n".join([BODY, "관련기사", "· 한강 자전거 사고, 5년 새 두 배로", "· 잠수교 주말 보행 전용 시범 운영", "[많이 본 뉴스]",
                      "1. 여름 전기요금 누진 구간 완화", "2. 장마 이번 주 시작"])  # fmt: skip
    result = remover.clean(text)
    assert result.text == BODY and result.lines_removed == 6


def test_the_box_ends_at_the_first_sentence(remover):
    after = "이 사업은 내년까지 이어진다."
    result = remover.clean("\n".join(["관련 기사", "한강 다리에 걷는 길 생긴다", after, "짧은 제목 같은 줄"]))
    assert result.text == f"{after}\n짧은 제목 같은 줄"  # the line after the sentence is outside the box


def test_the_box_is_bounded(remover):
    items = [f"제목 {i}번 기사" for i in range(20)]
    result = BoilerplateLineRemover(max_box_lines=3).clean("\n".join(["인기 기사", *items]))
    assert result.text.split("\n") == items[3:]
    assert BoilerplateLineRemover(max_box_lines=0).clean("인기 기사\n제목 하나").text == "제목 하나"


def test_a_heading_word_inside_prose_is_not_a_heading(remover):
    line = "관련 기사를 찾아보니 많이 본 뉴스 목록에 같은 내용이 올라 있었다."
    assert remover.clean(f"{line}\n{BODY}").text == f"{line}\n{BODY}"


@pytest.mark.parametrize(
    "line, removed",
    [
        ("Copyright ⓒ 연합뉴스. All rights reserved. 무단 전재 및 재배포, AI 학습 및 활용 금지", True),  # 68 chars
        ("서비스 약관 개인정보처리방침 청소년보호정책 Copyright © Kakao Corp. All rights reserved.", True),
        ("seoyeon@yna.co.kr", True),
        ("비공개 작성일 2023.11.02 조회수 2,418", True),
        ("글쓴이 : 산바람 | 날짜 : 2008-10-13 | 조회 : 342", True),
        ("페달밟는곰 조회 5,871 IP 211.***.12.***", True),
        ("이 영상은 공개 사흘 만에 조회수 300만을 넘겼다.", False),  # a counter without a post's meta data
        ("채택답변수 3,104 받은감사수 512 공인중개사", True),
        ("2023.11.02 좋아요 48 비공감 2 댓글 3", True),
        ("• 후속기사 원해요 9", True),
        ("슬퍼요", False),  # a one-word comment
        ("이전글 서귀포 올레시장 먹거리 정리", True),
        ("#애호박 #밑반찬 #새우젓", True),
        ("#해시태그 #가득한 #문장도 #있다.", False),  # ends like a sentence: left to the quality rules
        ("| 정치 | 경제 | 사회 | 문화 | 지역 | 독자투고", True),
        ("본문 바로가기 주메뉴 바로가기", True),
        ("오늘 방문자 : 27 | 전체 방문자 : 48,211", True),
        ("이 페이지에서 제공하는 정보에 대하여 만족하십니까?", True),
        ("* 페달밟는곰님의 서명 : 오늘도 안전 라이딩", True),
        ("욕설, 비방 등 운영 원칙에 어긋나는 댓글은 삭제될 수 있습니다.", True),
        ("무단 전재 및 재배포 금지 문구만으로는 AI 학습을 막기 어렵다는 지적이 나온다. 업계는 기술적 차단 장치와 함께 계약 조항을 손보고 있으며 정부도 가이드라인 개정을 검토하고 있다고 밝혔다.", False),
    ],
)
def test_korean_portal_lines(remover, line, removed):
    assert remover.is_boilerplate(line) is removed

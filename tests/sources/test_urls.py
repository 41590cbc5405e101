"""URL blocklists: each list fires with a reason naming it, the allow-list wins, news URLs pass."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest

from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch
from kocorpus.sources.urls import REASON, UrlBlocklistFilter, decoded_url


@pytest.fixture(scope="module")
def url_filter():
    """The default filter, its lists loaded with every outgoing connection refused."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access while loading the URL lists: {args}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        f = UrlBlocklistFilter()
        assert f.check("https://www.pornhub.com/") is not None  # loads UT1 and datatrove's words
    return f


def value(f: UrlBlocklistFilter, url: str) -> str | None:
    verdict = f.check(url)
    if verdict is None:
        return None
    assert verdict.reason == REASON
    return verdict.value


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://" + "카지노사이트".encode("idna").decode() + ".com/", "korean:word:카지노"),  # IDNA host
        ("https://blog.example.kr/" + quote("강남출장안마") + "/1", "korean:word:출장안마"),  # UTF-8 escapes
        ("http://legacy.example.kr/board.php?q=" + quote("바카라", encoding="cp949"), "korean:word:바카라"),  # CP949 escapes
        ("https://m.example.kr/" + quote("먹튀 검증"), "korean:word:먹튀"),
        ("https://example.kr/tag/" + quote("토토사이트"), "korean:word:토토사이트"),
        ("https://example.kr/" + quote("성인방송") + "-free", "korean:word:성인방송"),
        ("https://example.kr/" + quote("강남 오피 후기"), "korean:word:오피 후기"),
        ("http://best-casino79.net/", "korean:token:casino"),
        ("https://www.Baccarat-Live.kr/join", "korean:token:baccarat"),
        ("https://toto-slot.kr/", "korean:soft:slot+toto"),
        ("https://www.pornhub.com/view", "ut1:domain:pornhub.com"),
        ("https://00000000a.blogspot.com/2020/01/post.html", "ut1:domain:00000000a.blogspot.com"),
        ("https://www.example.com/free-porn-videos", "datatrove:word:porn"),
        ("https://www.example.com/bastard-bitch-stories", "datatrove:soft:bastard+bitch"),
        ("https://www.example.com/watch2girls1cupnow", "datatrove:subword:2girls1cup"),
    ],
)
def test_each_list_names_itself_and_what_matched(url_filter, url, expected):
    assert value(url_filter, url) == expected


ORDINARY = [
    "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=102&oid=001&aid=0014567890",
    "https://n.news.naver.com/mnews/article/001/0014567890?sid=102",
    "https://v.daum.net/v/20240201113200123",
    "https://www.chosun.com/national/national_general/2024/05/20/ABCDEF/",
    "https://www.hani.co.kr/arti/society/society_general/1130000.html",
    "https://www.donga.com/news/Opinion/article/all/20240101/123456789/1",
    "https://www.yna.co.kr/view/AKR20240311000100001",
    "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156612345",
    "https://kin.naver.com/qna/detail.naver?d1id=6&dirId=60208&docId=456789012",
    "https://m.blog.naver.com/windwalker/223012345678",
    "https://ko.wikipedia.org/wiki/" + quote("성인병"),
    "https://ko.wikipedia.org/wiki/" + quote("성인_교육"),
    "https://ko.wikipedia.org/wiki/" + quote("오피스텔"),
    "https://ko.wikipedia.org/wiki/" + quote("이웃집_토토로"),
    "https://ko.wikipedia.org/wiki/" + quote("메모리_슬롯"),
    "https://namu.wiki/w/" + quote("오피니언"),
    "https://www.joongang.co.kr/article/25212345?cloc=" + quote("오피니언"),
    "https://www.op.gg/summoners/kr/hideonbush",
    "https://safe.naver.com/",
    "https://www.massage-therapy.ac.kr/notice",
    "https://www.ghibli.jp/works/totoro/",
    "https://shop.example.kr/pc/memory-slot-guide",
    "https://www.alphabet.com/investor",
    "https://www.sportsseoul.com/news/read/1234567",
]


@pytest.mark.parametrize("url", ORDINARY)
def test_ordinary_korean_news_and_reference_urls_pass(url_filter, url):
    assert url_filter.check(url) is None


def test_the_allow_list_wins_over_every_list():
    f = UrlBlocklistFilter(allow_domains=["pornhub.com", "ko.wikipedia.org"], extra_domains=["pornhub.com"])
    assert f.check("https://www.pornhub.com/view") is None
    casino_article = "https://ko.wikipedia.org/wiki/" + quote("카지노")
    assert f.check(casino_article) is None
    assert UrlBlocklistFilter(ut1=False).check(casino_article).value == "korean:word:카지노"
    assert f.check("https://en.wikipedia.org/wiki/" + quote("카지노")) is not None  # another host


def test_extra_domains_block_the_domain_and_its_subdomains():
    f = UrlBlocklistFilter(ut1=False, extra_domains=["Blocked.Example"])
    assert f.check("https://m.blocked.example/a").value == "korean:domain:blocked.example"
    assert f.check("https://blocked.example.org/") is None


def test_a_list_of_ones_own_replaces_the_bundled_one():
    text = "[domain]\nspam.example\n[word]\n광고\\s*대행\n[token]\n[soft]\nfoo\nbar\n"
    f = UrlBlocklistFilter(ut1=False, korean_list_text=text, soft_token_threshold=2)
    assert f.check("https://www.spam.example/").value == "korean:domain:spam.example"
    assert f.check("https://x.kr/" + quote("광고 대행")).value == "korean:word:광고 대행"
    assert f.check("https://x.kr/foo-bar").value == "korean:soft:bar+foo"
    assert f.check("https://x.kr/foo") is None  # one soft token
    assert f.check("https://x.kr/" + quote("카지노")) is None  # the bundled list is not used


def test_decoded_url():
    assert decoded_url("https://X.kr/%EC%B9%B4%EC%A7%80%EB%85%B8") == "https://x.kr/카지노"
    assert decoded_url("https://x.kr/a+b%20c") == "https://x.kr/a b c"
    assert decoded_url("https://x.kr/%FF%FE") == "https://x.kr/\ufffd\ufffd"  # neither UTF-8 nor CP949
    assert "바카라" in decoded_url("https://x.kr/" + quote("바카라", encoding="cp949"))
    assert decoded_url("https://" + "한국".encode("idna").decode() + ".kr/").startswith("https://한국.kr")


def test_apply_gives_one_verdict_per_row_and_keeps_rows_without_a_url(url_filter):
    rows = [
        {"doc_id": "a", "source": "crawl", "text": "기사", "url": "https://www.chosun.com/national/1/"},
        {"doc_id": "b", "source": "crawl", "text": "광고", "url": "http://best-casino79.net/"},
        {"doc_id": "c", "source": "licensed", "text": "책", "url": None},
    ]
    batch = rows_to_batch(rows, DOCUMENT_SCHEMA)
    result = url_filter.apply(batch)
    assert url_filter.stage == "url"
    assert result.batch.equals(batch)
    assert [v.value if v else None for v in result.verdicts] == [None, "korean:token:casino", None]


def test_from_config_reads_the_urlfilter_table():
    f = UrlBlocklistFilter.from_config({"ut1": False, "allow_domains": ["casino.example"], "soft_token_threshold": 3})
    assert f.describe()["allow_domains"] == ["casino.example"] and f.soft_token_threshold == 3
    assert f.check("https://toto-slot.kr/") is None  # two soft tokens, three needed
    assert f.check("https://www.casino.example/") is None
    with pytest.raises(TypeError):
        UrlBlocklistFilter.from_config({"allow": ["x.kr"]})
    with pytest.raises(ValueError):
        UrlBlocklistFilter(soft_token_threshold=0)

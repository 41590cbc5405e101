"""Quality step: every rule fires on the document written to break it, with its code and value."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kocorpus.filters.boilerplate import BoilerplateLineRemover
from kocorpus.filters.korean_words import KiwiWordTokenizer
from kocorpus.filters.quality import PROFILES, QualityFilter, resolve_thresholds
from kocorpus.filters.spam_keywords import SpamKeywordDensity
from kocorpus.schemas import DOCUMENT_SCHEMA, rows_to_batch, sha256_text

from quality_fixtures import DOCS, EXPECTED, GOOD, GOOD_LINES, NOUNS

_VALUE = re.compile(r"^(-?[\d.e+-]+)([<>])(.+?)(?: \(\d+ hits\))?$")


@pytest.fixture(scope="module")
def qf():
    return QualityFilter()


@pytest.mark.parametrize("name", list(DOCS))
def test_default_profile_matches_the_hand_reasoned_table(qf, name):
    _, verdict, _ = qf.judge(DOCS[name])
    assert (verdict.reason if verdict else None) == EXPECTED[name], verdict


def test_each_rule_decides_exactly_its_own_document(qf):
    decided: dict[str, list[str]] = {}
    for name, text in DOCS.items():
        verdict = qf.judge(text)[1]
        if verdict is not None:
            decided.setdefault(verdict.reason, []).append(name)
    expected = {reason: [name] for name, reason in EXPECTED.items() if reason is not None}
    assert decided == expected
    assert qf.explain(GOOD)[0] == []  # the good document fails no rule at all


@pytest.mark.parametrize("name", [n for n, r in EXPECTED.items() if r not in (None, "empty_text")])
def test_reject_value_is_the_measured_value_against_the_threshold(qf, name):
    verdict = qf.judge(DOCS[name])[1]
    m = _VALUE.match(verdict.value)
    assert m, verdict.value
    measured, op, threshold = float(m.group(1)), m.group(2), m.group(3)
    key = {"top_2_gram": None, "dup_5_gram": None, "hangul_ratio": "min_hangul_ratio",
           "jamo_noise": "max_jamo_noise_ratio", "spam_keywords": "max_spam_ratio"}.get(name, name)  # fmt: skip
    t = qf.thresholds
    if key is None:
        n = int(name.split("_")[1])
        want = dict(t["top_n_grams"] if name.startswith("top") else t["dup_n_grams"])[n]
    else:
        want = t[key]
    assert float(threshold) == float(want)
    assert (measured < want) if op == "<" else (measured > want)


def test_signals_are_recorded_on_the_batch_and_boilerplate_lines_leave_the_text():
    page = "홈 | 뉴스 | 스포츠 | 연예\n" + GOOD + "\n댓글 12개\nCopyright ⓒ 한빛일보. 무단 전재 및 재배포 금지"
    batch = rows_to_batch(
        [
            {"doc_id": "a", "source": "s", "text": page, "text_sha256": sha256_text(page)},
            {"doc_id": "b", "source": "s", "text": "좋은 영화였다."},
            {"doc_id": "c", "source": "s", "text": None},
        ],
        DOCUMENT_SCHEMA,
    )
    result = QualityFilter().apply(batch)
    rows = result.batch.to_pylist()
    assert rows[0]["text"] == GOOD
    assert rows[0]["text_sha256"] == sha256_text(GOOD)
    signals = dict(rows[0]["quality_signals"])
    assert signals["boilerplate_lines_removed"] == 3
    assert signals["stop_words"] >= 2 and 0 < signals["hangul_ratio"] <= 1
    assert result.verdicts[0] is None
    assert result.verdicts[1].reason == "min_chars" and dict(rows[1]["quality_signals"])["chars"] == 7
    assert result.verdicts[2].reason == "empty_text"
    assert rows[0]["quality_score"] is None  # no classifier configured


# ---------------------------------------------------------------- the two engines


@pytest.mark.parametrize("name", list(DOCS))
def test_datatrove_engine_keeps_and_drops_the_same_documents(name):
    a = QualityFilter().judge(DOCS[name])[1]
    b = QualityFilter(engine="datatrove").judge(DOCS[name])[1]
    assert (a is None) == (b is None), (a, b)


_LINES = GOOD_LINES + [line for t in DOCS.values() for line in t.split("\n")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=14))
def test_engines_agree_on_mixed_documents(lines):
    text = "\n".join(lines)
    a = QualityFilter().judge(text)[1]
    b = QualityFilter(engine="datatrove").judge(text)[1]
    assert (a is None) == (b is None), (text, a, b)


# ---------------------------------------------------------------- Kiwi: paid only where needed


def test_kiwi_runs_only_for_documents_that_reach_a_word_rule(monkeypatch):
    calls = []
    original = KiwiWordTokenizer.word_spans

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(KiwiWordTokenizer, "word_spans", counting)
    qf = QualityFilter()
    for name in ("min_chars", "hangul_ratio", "spam_keywords", "line_punct_thr", "dup_line_frac"):
        qf.judge(DOCS[name])
    assert calls == []
    qf.judge(GOOD + "\n하나 더.")
    assert len(calls) == 1
    QualityFilter(engine="datatrove").judge(GOOD + "\n둘 더.")  # three datatrove filters share one Kiwi call
    assert len(calls) == 2
    QualityFilter(word_rules=False).judge(GOOD + "\n셋 더.")
    assert len(calls) == 2


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("가나다라마바사아자했던것은 ㅋㅠ.,!?\n\t0123abcAB한국어를")), max_size=80))
def test_kiwi_words_slice_the_original_text(text):
    tok = KiwiWordTokenizer()
    spans = tok.word_spans(text)
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
    assert tok.word_tokenize(text) == [w for w in (text[s:e].strip() for s, e in spans) if w]


def test_kiwi_words_keep_precomposed_syllables():
    words = KiwiWordTokenizer().word_tokenize("어제 그는 학교에 갔다. 했다.")
    assert "갔" in words and "했" in words  # contracted morphemes share their syllable's span
    for w in words:
        assert unicodedata.normalize("NFC", w) == w
        assert not any("\u1100" <= ch <= "\u11ff" for ch in w)  # never decomposed into conjoining jamo


# ---------------------------------------------------------------- configuration and profiles


def test_profiles_thresholds_and_overrides():
    default = resolve_thresholds("default")
    assert default["line_punct_thr"] == 0.062 and default["new_line_ratio"] == 0.196
    assert default["char_duplicates_ratio"] == 0.1 and default["dup_line_frac"] == 0.374
    assert (default["min_avg_word_length"], default["max_avg_word_length"]) == (1, 6)
    assert default["max_non_alpha_words_ratio"] == 0.791 and default["min_stop_words"] == 2
    assert default["top_n_grams"] == ((2, 0.282), (3, 0.228), (4, 0.185))
    assert default["dup_n_grams"][0] == (5, 0.201) and default["dup_n_grams"][-1] == (10, 0.127)
    assert default["short_line_thr"] is None and default["dup_para_frac"] is None
    assert len(default["stop_words"]) == 21
    t = resolve_thresholds("default", {"min_hangul_ratio": 0.4, "max_spam_ratio": False, "top_n_grams": {"2": 0.5}})
    assert t["min_hangul_ratio"] == 0.4 and t["max_spam_ratio"] is None and t["top_n_grams"] == ((2, 0.5),)
    with pytest.raises(ValueError, match="unknown threshold"):
        resolve_thresholds("default", {"min_hangul": 0.4})
    with pytest.raises(ValueError, match="profile"):
        resolve_thresholds("loose")


def test_config_overrides_change_decisions():
    assert QualityFilter.from_config({"min_hangul_ratio": 0.4}).judge(DOCS["hangul_ratio"])[1] is None
    assert QualityFilter.from_config({"max_spam_ratio": False}).judge(DOCS["spam_keywords"])[1] is None
    qf = QualityFilter.from_config({"profile": "strict", "classifier": {"high_quality": ["x"]}})
    assert qf.profile == "strict" and qf.describe()["thresholds"]["min_stop_words"] == 3


def test_strict_drops_more_and_lenient_keeps_short_reviews():
    review = "연기도 좋고 음악도 좋았다. 마지막 장면은 오래 기억에 남을 것 같다."
    assert QualityFilter().judge(review)[1].reason == "min_chars"
    assert QualityFilter(profile="lenient").judge(review)[1] is None
    assert QualityFilter().judge(GOOD)[1] is None
    assert QualityFilter(profile="strict").judge(GOOD)[1] is not None  # 126 characters < strict's 200
    for name in PROFILES:
        assert set(QualityFilter(profile=name).describe()["thresholds"]) == set(PROFILES["default"])


# ---------------------------------------------------------------- boilerplate and spam building blocks


@pytest.mark.parametrize(
    "line, removed",
    [
        ("홈 | 뉴스 | 스포츠 | 연예 | 로그인", True),
        ("공유하기 페이스북 트위터 카카오톡", True),
        ("글자크기 가 가", True),
        ("좋아요 34 공유 5", True),
        ("댓글 12개", True),
        ("Copyright ⓒ 한빛일보. 무단 전재 및 재배포 금지", True),
        ("홍길동 기자 hong@example.com", True),
        ("좋아요", False),  # a one-word review is user text
        ("이 영화 추천합니다", False),
        ("2020 | 100 | 200", False),  # a table row keeps its numbers
        ("글자 크기를 키웠다", False),
        ("무단 전재를 막기 위한 법안이 국회를 통과했다는 소식이 전해지자 업계는 환영의 뜻을 밝혔고 시민단체는 실효성을 두고 우려를 나타냈다. 정부는 곧 시행령을 마련하겠다고 했다.", False),
    ],
)
def test_boilerplate_lines(line, removed):
    assert BoilerplateLineRemover().is_boilerplate(line) is removed


def test_spam_is_a_density_not_a_single_mention():
    spam = SpamKeywordDensity()
    news = GOOD + "\n정부는 강원랜드 카지노의 매출이 늘었다고 발표했다."
    assert spam.measure(news).hits == 1 and QualityFilter().judge(news)[1] is None
    assert spam.measure("이웃집 토토로를 다시 봤다.").hits == 0
    assert spam.measure("바카라 바카라 카지노 토토").ratio == 1.0


# ---------------------------------------------------------------- the optional classifier


def test_quality_classifier_trains_scores_and_rejects(tmp_path):
    from kocorpus.filters.quality_classifier import QualityClassifier, train_quality_classifier

    hq = [f"{n}에 관한 연구 결과가 학술지에 실렸다고 연구진은 밝혔다." for n in NOUNS] * 4
    lq = [f"ㅋㅋ {n} 대박 ㄹㅇ 개꿀 ㅎㅎ 인정?" for n in NOUNS] * 4
    model = tmp_path / "q.bin"
    card = train_quality_classifier(hq, lq, str(model), epoch=25)
    assert card["holdout"]["accuracy"] >= 0.9 and (tmp_path / "q.bin.json").exists()
    clf = QualityClassifier.load(str(model))
    good, bad = clf.score(["포도에 관한 연구 결과가 학술지에 실렸다.", "ㅋㅋ 포도 대박 ㄹㅇ"])
    assert good > 0.5 > bad

    batch = rows_to_batch([{"doc_id": "a", "source": "s", "text": GOOD}], DOCUMENT_SCHEMA)
    scored = QualityFilter(classifier_path=str(model)).apply(batch)
    assert scored.verdicts == [None] and 0 <= scored.batch.column("quality_score")[0].as_py() <= 1
    strict = QualityFilter(classifier_path=str(model), min_classifier_score=1.01).apply(batch)
    assert strict.verdicts[0].reason == "classifier_score"
    with pytest.raises(ValueError, match="both classes"):
        train_quality_classifier(hq, [], str(tmp_path / "x.bin"))


def test_a_source_can_have_its_own_profile():
    review = "연기도 좋고 음악도 좋았다. 마지막 장면은 오래 기억에 남을 것 같다."
    rows = [{"doc_id": f"d{i}", "source": src, "text": review} for i, src in enumerate(["reviews", "news"])]
    batch = rows_to_batch(rows, DOCUMENT_SCHEMA)
    qf = QualityFilter.from_config({"profile": "default", "source_profiles": {"reviews": "lenient"}})
    verdicts = qf.apply(batch).verdicts
    assert verdicts[0] is None  # lenient for the reviews source
    assert verdicts[1].reason == "min_chars"  # the default profile everywhere else
    assert qf.describe()["source_profiles"] == {"reviews": "lenient"}
    with pytest.raises(ValueError, match="profile"):
        QualityFilter(source_profiles={"reviews": "loose"})

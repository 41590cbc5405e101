"""Language ID with the bundled lid.176.ftz and the licence / opt-out policy."""

import pyarrow as pa

from kocorpus.filters.langid import FastTextLanguageId, label_to_lang
from kocorpus.filters.policy import LicensePolicy
from kocorpus.schemas import DOCUMENT_SCHEMA


def batch(rows):
    return pa.RecordBatch.from_pylist([{"doc_id": str(i), "source": "s", **r} for i, r in enumerate(rows)], schema=DOCUMENT_SCHEMA)


def test_langid_records_language_and_rejects_others():
    step = FastTextLanguageId(languages=["ko"], min_score=0.5)
    b = batch(
        [
            {"text": "대한민국의 수도는 서울이며, 인구는 약 천만 명이다.\n한강이 도시를 가로지른다."},
            {"text": "The capital of France is Paris, a city on the Seine."},
            {"text": "東京は日本の首都であり、多くの人が住んでいる。"},
        ]
    )
    res = step.apply(b)
    assert res.batch.column("lang").to_pylist() == ["ko", "en", "ja"]
    assert res.batch.column("lang_score")[0].as_py() > 0.9
    assert res.verdicts[0] is None
    assert res.verdicts[1].reason == "language" and res.verdicts[1].value.startswith("en:")


def test_langid_score_threshold_and_glotlid_labels():
    assert label_to_lang("__label__kor_Hang") == "ko" and label_to_lang("__label__ko") == "ko"
    step = FastTextLanguageId(languages=["ko"], min_score=0.9999999)
    res = step.apply(batch([{"text": "ㅋㅋ"}]))
    v = res.verdicts[0]  # fastText reads a jamo-only laugh as not Korean at all
    assert v.reason == "language" and v.value.split(":")[0] != "ko" and 0 <= float(v.value.split(":")[1]) <= 1
    sure = step.apply(batch([{"text": "오늘은 날씨가 맑고 따뜻해서 공원에 산책을 다녀왔습니다. 주말에는 가족과 함께 시장에 갈 예정입니다."}]))
    assert sure.verdicts[0] is None or sure.verdicts[0].reason == "language_score"


def test_license_policy_forbidden_unknown_and_allowed():
    pol = LicensePolicy(allowed=["CC0-1.0"], attribution=["CC-BY-4.0"], forbidden=["CC-BY-NC-4.0"])
    b = batch([{"license": "CC0-1.0"}, {"license": "cc-by-4.0"}, {"license": "CC-BY-NC-4.0"}, {"license": "Proprietary-X"}, {"license": None}])
    v = pol.apply(b).verdicts
    assert v[0] is None and v[1] is None
    assert (v[2].reason, v[2].value) == ("license", "forbidden:CC-BY-NC-4.0")
    assert (v[3].reason, v[3].value) == ("license", "unknown:Proprietary-X")
    assert v[4].reason == "license"


def test_opt_out_domains_prefixes_file_and_tdm(tmp_path):
    f = tmp_path / "optout.txt"
    f.write_text("# owners who opted out\nblocked.example\nhttps://site.example/private/\n")
    pol = LicensePolicy(allowed=["CC0-1.0"], opt_out_domains=["Other.example"], opt_out_file=str(f))
    rows = [
        {"license": "CC0-1.0", "url": "https://news.blocked.example/a", "domain": "news.blocked.example"},
        {"license": "CC0-1.0", "url": "https://site.example/private/x", "domain": "site.example"},
        {"license": "CC0-1.0", "url": "https://site.example/public/x", "domain": "site.example"},
        {"license": "CC0-1.0", "url": "https://other.example/", "domain": "other.example"},
        {"license": "CC0-1.0", "url": "https://ok.example/", "domain": "ok.example", "tdm_reserved": True},
        {"license": "CC0-1.0", "url": "https://notblocked.example/", "domain": "notblocked.example"},
    ]
    v = pol.apply(batch(rows)).verdicts
    assert [x.value if x else None for x in v] == [
        "domain:blocked.example",
        "url_prefix:https://site.example/private/",
        None,
        "domain:other.example",
        "tdm_reservation",
        None,
    ]
    assert all(x.reason == "opt_out" for x in v if x)
    assert LicensePolicy(allowed=["CC0-1.0"], honor_tdm_reservation=False).apply(batch(rows[4:5])).verdicts == [None]

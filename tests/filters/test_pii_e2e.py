"""End to end: documents with every PII type go through the whole pipeline; the token shards
decode to the typed placeholders and contain none of the values."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from kocorpus.filters.pii_validators import brn_check_digit, luhn_check_digit, rrn_check_digit
from kocorpus.filters.placeholders import PLACEHOLDERS
from kocorpus.sample import config_path as sample_config_path
from kocorpus.config import SourceConfig, load_config
from kocorpus.pipelines.pipeline import run_pipeline

pytestmark = pytest.mark.e2e


def _values() -> dict[str, str]:
    """One value per PII type, built with the project's check-digit rules."""
    rrn12 = "900101123456"
    card15 = "411111111111111"
    brn9 = "220816251"
    return {
        "rrn": f"{rrn12[:6]}-{rrn12[6:]}{rrn_check_digit(rrn12)}",
        "frn": "951231-6123450",
        "phone": "010-2345-6789",
        "email": "gildong.hong@naver.com",
        "card": "-".join((card15 + str(luhn_check_digit(card15)))[i : i + 4] for i in range(0, 16, 4)),
        "account": "110-234-567890",
        "passport": "M123A4567",
        "driver_license": "11-19-123456-78",
        "brn": f"{brn9[:3]}-{brn9[3:5]}-{brn9[5:]}{brn_check_digit(brn9)}",
        "ip": "211.234.10.20",
    }


LABELS = {
    "rrn": "제 주민등록번호는 {v}입니다.",
    "frn": "외국인등록번호 {v} 로 체류 신고를 마쳤습니다.",
    "phone": "궁금한 점은 휴대폰 {v}로 연락해 주세요.",
    "email": "자료는 이메일 {v} 으로 보내 주시면 됩니다.",
    "card": "결제한 카드 번호는 {v} 입니다.",
    "account": "회비는 신한은행 계좌 {v} 로 입금해 주세요.",
    "passport": "여권번호 {v} 를 확인했습니다.",
    "driver_license": "운전면허번호 {v} 도 함께 적어 주세요.",
    "brn": "상호는 한빛상사이고 사업자등록번호는 {v} 입니다.",
    "ip": "마지막 접속 IP는 {v} 였습니다.",
}

SENTENCES = [
    "동아리 회원 여러분께 이번 달 정기 모임 안내를 드립니다.",
    "모임은 토요일 오후에 도서관 세미나실에서 열립니다.",
    "새로 가입한 회원들의 자기소개 시간이 있을 예정입니다.",
    "다음 학기 활동 계획에 대해 자유롭게 의견을 나눠 봅시다.",
    "지난 봄 답사에서 찍은 사진은 게시판에 올려 두었습니다.",
    "간식은 총무가 준비하니 따로 챙겨 오지 않으셔도 됩니다.",
    "비가 오면 장소가 학생회관 2층으로 바뀔 수 있습니다.",
    "가을 축제 부스 운영을 도와줄 자원봉사자를 찾고 있습니다.",
    "읽고 싶은 책이 있으면 추천 목록에 적어 주세요.",
    "졸업한 선배님들도 시간이 되시면 꼭 들러 주세요.",
    "회칙 개정안은 다음 모임에서 투표로 정하겠습니다.",
    "늦게 오시는 분은 단체 대화방에 미리 알려 주세요.",
]


def _filler(i: int) -> str:
    return " ".join(SENTENCES[(i + k * 5) % len(SENTENCES)] for k in range(3))


@pytest.fixture(scope="module")
def pii_run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("pii-e2e")
    values = _values()
    docs = []
    for i, (t, v) in enumerate(values.items()):
        body = _filler(i) + " " + LABELS[t].format(v=v) + " " + _filler(i + 1)
        docs.append({"id": f"pii-{t}", "text": body})
    allinone = _filler(11) + " " + " ".join(LABELS[t].format(v=v) for t, v in values.items()) + " 참석 여부를 알려 주세요."
    docs.append({"id": "pii-all", "text": allinone})
    src = root / "pii"
    src.mkdir()
    (src / "members.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")

    cfg = load_config(sample_config_path(), {"run": {"root": str(root / "out")}})
    cfg.sources.append(SourceConfig(name="club-notices", kind="licensed", license="CC0-1.0", format="jsonl", path=str(src / "*.jsonl")))
    cfg.sections["pii"] = {"actions": {t: "redact" for t in PLACEHOLDERS}}
    # Every document step but quality, whose thresholds are not what this test is about.
    cfg.sections["filter"] = {"steps": ["normalize", "policy", "langid", "pii"]}
    ctx = run_pipeline(cfg, run_id="pii-e2e", spark=spark, progress=lambda _: None)
    return ctx, values


def _decoded_documents(ctx) -> dict[str, str]:
    from tokenizers import Tokenizer

    dataset = ctx.layout.dataset_dir
    manifest = json.loads((dataset / "manifest.json").read_text())
    tok = Tokenizer.from_file(str(dataset / "tokenizer.json"))
    rows = {s["path"]: pq.read_table(dataset / s["path"]).column("tokens").to_pylist() for s in manifest["shards"]}
    pieces: dict[str, list[int]] = {}
    for r in pq.read_table(dataset / "lineage.parquet").to_pylist():
        pieces.setdefault(r["doc_id"], []).extend(rows[r["shard"]][r["row"]][r["start"] : r["end"]])
    return {d: tok.decode(ids, skip_special_tokens=False) for d, ids in pieces.items()}


def test_shards_hold_placeholders_and_no_pii_values(pii_run):
    from kocorpus.schemas import make_doc_id

    ctx, values = pii_run
    decoded = _decoded_documents(ctx)
    ours = {make_doc_id("club-notices", f"pii-{t}"): t for t in list(values) + ["all"]}
    found = {doc_id: text for doc_id, text in decoded.items() if doc_id in ours}
    assert set(found) == set(ours), "every PII document reaches the shards (redacted, not dropped)"
    for doc_id, text in found.items():
        t = ours[doc_id]
        expected = list(values) if t == "all" else [t]
        for typ in expected:
            assert PLACEHOLDERS[typ] in text, (typ, text)
    everything = "\n".join(decoded.values())
    for typ, v in values.items():
        assert v not in everything, typ
        assert v.replace("-", "") not in everything.replace("-", ""), typ


def test_placeholders_are_single_tokens_in_the_shards(pii_run):
    from tokenizers import Tokenizer

    ctx, _ = pii_run
    tok = Tokenizer.from_file(str(ctx.layout.dataset_dir / "tokenizer.json"))
    for placeholder in PLACEHOLDERS.values():
        assert len(tok.encode(placeholder, add_special_tokens=False).ids) == 1, placeholder


def test_pii_counts_are_recorded_on_the_documents(pii_run):
    import pyarrow.dataset as ds

    from kocorpus.schemas import make_doc_id

    ctx, values = pii_run
    table = ds.dataset(ctx.layout.run_dir / "filter" / "data", partitioning="hive").to_table()
    by_id = {r["doc_id"]: dict(r["pii_counts"] or []) for r in table.select(["doc_id", "pii_counts"]).to_pylist()}
    assert by_id[make_doc_id("club-notices", "pii-all")] == {t: 1 for t in values}
    for t in values:
        assert by_id[make_doc_id("club-notices", f"pii-{t}")] == {t: 1}

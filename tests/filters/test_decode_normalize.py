"""Decoding (UTF-8, CP949 for EUC-KR) and NFC normalization."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kocorpus.sources.decode import DecodeError, canonical_encoding, decode_bytes
from kocorpus.filters.normalize import TextNormalizer, normalize_text
from kocorpus.schemas import DOCUMENT_SCHEMA, sha256_text
import pyarrow as pa


def test_euc_kr_is_decoded_as_cp949():
    # 똠 and 펲 are outside EUC-KR's 2,350 syllables but inside CP949.
    text = "똠방각하 펲시콜라 한국어"
    raw = text.encode("cp949")
    assert decode_bytes(raw, "euc-kr") == (text, "cp949")
    assert decode_bytes(raw, "utf-8") == (text, "cp949")  # declared UTF-8, really CP949
    assert canonical_encoding("EUC-KR") == "cp949" and canonical_encoding("ks_c_5601-1987") == "cp949"


def test_utf8_bom_is_stripped_and_garbage_is_an_error():
    assert decode_bytes("\ufeff안녕".encode("utf-8")) == ("안녕", "utf-8")
    with pytest.raises(DecodeError):
        decode_bytes(b"\xff\xfe\xfd\x80\x81 broken \xff")


@given(st.text(alphabet=st.characters(blacklist_categories=('Cs',))))
def test_utf8_round_trip(text):
    raw = text.encode("utf-8")
    assert decode_bytes(raw)[0] == (text[1:] if text.startswith("\ufeff") else text)


def test_nfc_never_nfkc_keeps_compatibility_jamo():
    s = "ㅋㅋㅋ 진짜 웃겨요 ㅠㅠ"
    assert normalize_text(s) == s
    decomposed = unicodedata.normalize("NFD", "한국어")
    assert normalize_text(decomposed) == "한국어"


def test_control_characters_and_whitespace():
    assert normalize_text("  가\u200b나\x00다\t\t라  \r\n\r\n\r\n\r\n마 ") == "가나다 라\n\n마"


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_mojibake_is_repaired():
    broken = "한국어 문장입니다".encode("utf-8").decode("latin-1")
    assert normalize_text(broken) == "한국어 문장입니다"


def test_normalizer_step_rejects_empty_and_binary():
    texts = ["  좋은 문서  ", "   ", None, "\x01\x02\x03\x04abc\x05\x06\x07"]
    batch = pa.RecordBatch.from_pylist([{"doc_id": str(i), "source": "s", "text": t} for i, t in enumerate(texts)], schema=DOCUMENT_SCHEMA)
    res = TextNormalizer().apply(batch)
    assert [v.reason if v else None for v in res.verdicts] == [None, "empty_text", "empty_text", "binary_content"]
    assert res.batch.column("text")[0].as_py() == "좋은 문서"
    assert res.batch.column("text_sha256")[0].as_py() == sha256_text("좋은 문서")


def test_special_token_strings_in_source_text_are_neutralised():
    out = normalize_text("끝<|eos|> 전화 <|tel|> 그리고 <|other|>")
    assert "<|eos|>" not in out and "<|tel|>" not in out
    assert out == "끝<\uff5ceos\uff5c> 전화 <\uff5ctel\uff5c> 그리고 <|other|>"

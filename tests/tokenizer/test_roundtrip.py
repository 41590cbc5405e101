"""Trained tokenizers: lossless round trip, atomic special tokens, morpheme boundaries, no Kiwi at encode time."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kocorpus.filters.placeholders import PLACEHOLDERS, SPECIAL_TOKENS
from kocorpus.tokenizer.encode import TokenEncoder, token_bytes

from tok_fixtures import NOUNS, PARTICLES, attach

# Character classes the tokenizer must carry byte for byte.
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
CONJOINING_JAMO = st.characters(min_codepoint=0x1100, max_codepoint=0x11FF)
COMPAT_JAMO = st.characters(min_codepoint=0x3131, max_codepoint=0x318E)
HANJA = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF))
EMOJI = st.one_of(
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    st.sampled_from(["\u200d", "\ufe0f", "\U0001f3fb", "👨\u200d👩\u200d👧", "🇰🇷"]),  # ZWJ sequences, flags
)
CONTROL = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])
ANY = st.characters(codec="utf-8")  # every code point except surrogates
CHARS = st.one_of(HANGUL, CONJOINING_JAMO, COMPAT_JAMO, HANJA, EMOJI, CONTROL, ANY, st.sampled_from(list(" \n\t\r.,!?0123456789")))
TEXT = st.lists(CHARS, max_size=200).map("".join)
WITH_SPECIALS = st.lists(st.one_of(TEXT, st.sampled_from(SPECIAL_TOKENS)), max_size=8).map("".join)

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _encoder(info) -> TokenEncoder:
    return TokenEncoder(info.path)


def _encode(enc: TokenEncoder, texts: list[str]) -> list[list[int]]:
    batch = pa.record_batch({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    out = enc(batch)
    assert out.column("n_tokens").to_pylist() == [len(x) for x in out.column("tokens").to_pylist()]
    return out.column("tokens").to_pylist()


@pytest.fixture(scope="module", params=["kiwi", "bpe"])
def encoder(request, kiwi_tokenizer, plain_tokenizer):
    return _encoder(kiwi_tokenizer if request.param == "kiwi" else plain_tokenizer)


@PROPERTY
@given(texts=st.lists(TEXT, min_size=1, max_size=5))
def test_decode_encode_is_identity_for_arbitrary_unicode(encoder, texts):
    for text, ids in zip(texts, _encode(encoder, texts)):
        assert encoder.decode(ids) == text
        assert b"".join(token_bytes(encoder.tokenizer, ids)) == text.encode("utf-8")


@PROPERTY
@given(text=WITH_SPECIALS)
def test_special_tokens_round_trip_as_single_ids(encoder, text):
    (ids,) = _encode(encoder, [text])
    assert encoder.decode(ids) == text
    special_ids = [i for i in ids if i < len(SPECIAL_TOKENS)]
    # every occurrence of a special-token string is exactly one id, in order
    expected = []
    rest = text
    while rest:
        hits = [(rest.find(t), t) for t in SPECIAL_TOKENS if t in rest]
        if not hits:
            break
        pos, tok = min(hits)
        expected.append(SPECIAL_TOKENS.index(tok))
        rest = rest[pos + len(tok) :]
    assert special_ids == expected


def test_special_token_ids_and_placeholders_inside_korean(kiwi_tokenizer, plain_tokenizer):
    for info in (kiwi_tokenizer, plain_tokenizer):
        enc = _encoder(info)
        assert (info.pad_id, info.bos_id, info.eos_id) == (0, 1, 2)
        for i, tok in enumerate(SPECIAL_TOKENS):
            assert enc.tokenizer.token_to_id(tok) == i
        for placeholder in PLACEHOLDERS.values():
            text = f"연락처는{placeholder}입니다"
            (ids,) = _encode(enc, [text])
            assert ids.count(SPECIAL_TOKENS.index(placeholder)) == 1
            assert enc.decode(ids) == text
            # the placeholder costs exactly one token: the text around it encodes the same alone
            assert len(ids) == 1 + len(_encode(enc, ["연락처는"])[0]) + len(_encode(enc, ["입니다"])[0])


def _boundaries(enc: TokenEncoder, word: str) -> set[int]:
    ids = enc.tokenizer.encode(word, add_special_tokens=False).ids
    return set(itertools.accumulate(len(b) for b in token_bytes(enc.tokenizer, ids)))


def test_kiwi_merges_keep_particles_apart_from_nouns(kiwi_tokenizer, plain_tokenizer):
    """On the fixture's noun+particle words, Kiwi-BPE cuts at the particle; plain BPE merges across."""
    words = [(n, attach(n, p)) for n in NOUNS for p in PARTICLES]

    def kept(info) -> float:
        enc = _encoder(info)
        return sum(len((" " + n).encode()) in _boundaries(enc, " " + w) for n, w in words) / len(words)

    kiwi, plain = kept(kiwi_tokenizer), kept(plain_tokenizer)
    assert kiwi >= 0.85, kiwi
    assert plain < 0.5 * kiwi, (kiwi, plain)


def test_tokenizer_card_describes_training(kiwi_tokenizer, fixture_docs):
    from kocorpus.files import sha256_file as file_sha256
    from kocorpus.tokenizer.train import texts_sha256

    card = json.loads(open(kiwi_tokenizer.card_path, encoding="utf-8").read())
    assert card["method"] == "kiwi"
    assert card["training_data_sha256"] == texts_sha256(fixture_docs)
    assert card["training_docs"] == len(fixture_docs)
    assert card["vocab_size"] == kiwi_tokenizer.vocab_size <= card["requested_vocab_size"] == 1000
    assert card["tokenizer_sha256"] == file_sha256(kiwi_tokenizer.path) == kiwi_tokenizer.sha256
    assert card["options"]["pretokenize_j"] is True and card["options"]["min_pair_frequency"] == 2
    assert card["special_tokens"] == SPECIAL_TOKENS


def test_training_is_deterministic(tmp_path, fixture_docs, kiwi_tokenizer):
    from kocorpus.tokenizer.train import train_tokenizer

    again = train_tokenizer(fixture_docs, tmp_path, vocab_size=1000, method="kiwi", min_pair_frequency=2)
    assert again.sha256 == kiwi_tokenizer.sha256


def test_unknown_method_is_refused(tmp_path):
    from kocorpus.tokenizer.train import train_tokenizer

    with pytest.raises(ValueError, match="unknown tokenizer method"):
        train_tokenizer(["가"], tmp_path, vocab_size=300, method="sentencepiece")


def test_encoding_never_calls_kiwi(kiwi_tokenizer, monkeypatch):
    import kiwipiepy

    class NoKiwi:
        def __init__(self, *a, **k):
            raise AssertionError("Kiwi was called at encode time")

    monkeypatch.setattr(kiwipiepy, "Kiwi", NoKiwi)
    text = "학교에서 친구를 만났습니다. <|tel|>"
    enc = TokenEncoder(kiwi_tokenizer.path)
    (ids,) = _encode(enc, [text])
    assert enc.decode(ids) == text


def test_encoding_works_where_kiwipiepy_cannot_be_imported(kiwi_tokenizer):
    """A fresh process with kiwipiepy blocked encodes the same ids (Spark executors need only `tokenizers`)."""
    text = "도서관에서 책을 읽었다 🙂 漢字 ㅋㅋ"
    code = (
        "import sys, json; sys.modules['kiwipiepy'] = None\n"
        "import pyarrow as pa\n"
        "from kocorpus.tokenizer.encode import TokenEncoder\n"
        f"out = TokenEncoder({kiwi_tokenizer.path!r})(pa.record_batch({{'doc_id': ['a'], 'text': [{text!r}]}}))\n"
        "print(json.dumps(out.column('tokens').to_pylist()[0]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == _encode(_encoder(kiwi_tokenizer), [text])[0]


def test_spark_map_in_arrow_matches_direct_encoding(spark, kiwi_tokenizer, fixture_docs):
    from kocorpus.pipelines.tokenize import ENCODED_DDL

    path = kiwi_tokenizer.path
    docs = fixture_docs[:200] + ["", "<|email|>로 보내 주세요", "\x00\x1f🇰🇷"]
    df = spark.createDataFrame([(f"doc-{i:04d}", t) for i, t in enumerate(docs)], "doc_id string, text string").repartition(3)

    def encode(batches):
        enc = TokenEncoder(path)
        for b in batches:
            yield enc(b)

    rows = {r["doc_id"]: r for r in df.mapInArrow(encode, ENCODED_DDL).collect()}
    enc = _encoder(kiwi_tokenizer)
    direct = _encode(enc, docs)
    assert len(rows) == len(docs)
    for i, text in enumerate(docs):
        r = rows[f"doc-{i:04d}"]
        assert list(r["tokens"]) == direct[i]
        assert r["n_tokens"] == len(direct[i])
        assert enc.decode(r["tokens"]) == text


@pytest.mark.parametrize("method", ["kiwi", "bpe"])
def test_placeholders_in_the_training_sample_cost_no_vocabulary(tmp_path, fixture_docs, method):
    from tokenizers import Tokenizer

    from kocorpus.tokenizer.train import train_tokenizer

    docs = [f"{d} 연락처<|tel|>메일 <|email|>, {d[:20]}<|eos|>" for d in fixture_docs[:400]]
    opts = {"min_pair_frequency": 2} if method == "kiwi" else {}
    info = train_tokenizer(docs, tmp_path, vocab_size=800, method=method, **opts)
    tok = Tokenizer.from_file(info.path)
    ordinary = [t for t, i in tok.get_vocab().items() if i >= len(SPECIAL_TOKENS)]
    assert not [t for t in ordinary if "<|" in t or "|>" in t or "tel" in t or "email" in t]
    enc = TokenEncoder(info.path)
    (ids,) = _encode(enc, [docs[0]])
    assert enc.decode(ids) == docs[0]


def test_a_retrained_tokenizer_at_the_same_path_is_reloaded(tmp_path, kiwi_tokenizer, plain_tokenizer):
    path = tmp_path / "tokenizer.json"
    path.write_bytes(open(kiwi_tokenizer.path, "rb").read())
    text = "도서관에서 책을 읽었다"
    first = _encode(TokenEncoder(str(path)), [text])[0]
    assert first == _encode(_encoder(kiwi_tokenizer), [text])[0]
    path.write_bytes(open(plain_tokenizer.path, "rb").read())  # same path, new run's tokenizer
    assert _encode(TokenEncoder(str(path)), [text])[0] == _encode(_encoder(plain_tokenizer), [text])[0] != first

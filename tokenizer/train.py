"""Training the tokenizer: Kiwi morpheme-aware BPE (default) or a plain byte-level BPE.

Both produce a Hugging Face ``tokenizer.json`` (byte-level BPE, lossless for
any text) with the special tokens of ``kocorpus.filters.placeholders`` at ids
0..12, each kept as one token, and a ``tokenizer_card.json`` (training data
hash, vocabulary size, method and options).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from kocorpus.files import sha256_file
from kocorpus.filters.placeholders import SPECIAL_TOKENS

#: Kiwi pre-tokenization defaults: split particles (J) and endings (E), the
#: copula (VCP) and verb-deriving suffixes (XSV), so merges never cross them.
KIWI_DEFAULTS = {
    "pretokenize_j": True,
    "pretokenize_e": True,
    "pretokenize_vcp": True,
    "pretokenize_xsv": True,
    "min_pair_frequency": 5,
}


@dataclass
class TokenizerInfo:
    path: str  # tokenizer.json
    card_path: str
    sha256: str
    vocab_size: int
    bos_id: int
    eos_id: int
    pad_id: int


@dataclass(frozen=True)
class TokenizerSettings:
    """``[tokenizer]``: a trained ``path`` to use, or how to train one (``method``, ``vocab_size``,
    ``sample_max_chars`` characters of cleaned text sampled per run, trainer ``options``)."""

    path: str | None = None
    method: str = "kiwi"  # kiwi (morpheme-aware BPE) | bpe (plain byte-level BPE)
    vocab_size: int = 32000
    sample_max_chars: int = 50_000_000
    options: dict = field(default_factory=dict)

    @classmethod
    def from_config(cls, section: dict) -> "TokenizerSettings":
        return cls(**section)


def texts_sha256(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def train_tokenizer(
    texts: Sequence[str], out_dir: str | Path, *, vocab_size: int, method: str = "kiwi", seed: int = 0, **options
) -> TokenizerInfo:
    """Train on ``texts`` and write ``tokenizer.json`` + ``tokenizer_card.json`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "tokenizer.json"
    n_special = len(SPECIAL_TOKENS)
    base_vocab = vocab_size - n_special
    pieces = _between_special_tokens(texts)
    if method == "kiwi":
        opts = {**KIWI_DEFAULTS, **options}
        _train_kiwi(pieces, path, base_vocab, opts)
    elif method == "bpe":
        opts = {"min_frequency": 2, **options}
        _train_plain(pieces, path, base_vocab, opts)
    else:
        raise ValueError(f"unknown tokenizer method {method!r}: use 'kiwi' or 'bpe'")
    _set_special_tokens(path)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    card = {
        "method": method,
        "options": opts,
        "vocab_size": tok.get_vocab_size(),
        "requested_vocab_size": vocab_size,
        "special_tokens": SPECIAL_TOKENS,
        "training_docs": len(texts),
        "training_chars": sum(len(t) for t in texts),
        "training_data_sha256": texts_sha256(texts),
        "seed": seed,
        "tokenizer_sha256": sha256_file(path),
    }
    card_path = out / "tokenizer_card.json"
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return load_tokenizer_info(path)


_SPECIAL = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))


def _between_special_tokens(texts: Sequence[str]) -> list[str]:
    """The text between special-token strings (PII placeholders), as separate training texts.

    That is what the encoder sees (a special token splits its input), so no vocabulary goes to
    pieces of ``<|tel|>`` and no merge joins the text on either side of one.
    """
    out = []
    for t in texts:
        if "<|" in t:
            out.extend(p for p in _SPECIAL.split(t) if p)
        else:
            out.append(t)
    return out


def _train_kiwi(texts: Sequence[str], path: Path, vocab_size: int, opts: dict) -> None:
    from kiwipiepy import Kiwi
    from kiwipiepy.bpe_trainer import train_bpe_tokenizer

    needs_kiwi = any(opts.get(k) for k in ("pretokenize_j", "pretokenize_e", "pretokenize_vcp", "pretokenize_xsv"))
    kiwi = Kiwi(num_workers=1) if needs_kiwi else None
    train_bpe_tokenizer(str(path), list(texts), vocab_size, kiwi=kiwi, show_progress=False, num_workers=0, **opts)


def _train_plain(texts: Sequence[str], path: Path, vocab_size: int, opts: dict) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=opts.get("min_frequency", 2),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.save(str(path))


def _set_special_tokens(path: Path) -> None:
    """Renumber the vocabulary so the special tokens take ids 0..N-1, and register them atomic."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    vocab: dict[str, int] = doc["model"]["vocab"]
    ordinary = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t not in SPECIAL_TOKENS]
    new_vocab = {t: i for i, t in enumerate(SPECIAL_TOKENS)}
    for t in ordinary:
        new_vocab[t] = len(new_vocab)
    doc["model"]["vocab"] = new_vocab
    doc["added_tokens"] = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, t in enumerate(SPECIAL_TOKENS)
    ]
    doc["normalizer"] = None
    doc["post_processor"] = None
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    Path(f.name).replace(path)


def load_tokenizer_info(path: str | Path) -> TokenizerInfo:
    """Ids and hash of a saved tokenizer.json (its card sits beside it)."""
    from tokenizers import Tokenizer

    path = Path(path)
    tok = Tokenizer.from_file(str(path))
    ids = {t: tok.token_to_id(t) for t in ("<|bos|>", "<|eos|>", "<|pad|>")}
    missing = [t for t, i in ids.items() if i is None]
    if missing:
        raise ValueError(f"{path}: tokenizer lacks the control tokens {missing}")
    return TokenizerInfo(
        path=str(path),
        card_path=str(path.with_name("tokenizer_card.json")),
        sha256=sha256_file(path),
        vocab_size=tok.get_vocab_size(),
        bos_id=ids["<|bos|>"],
        eos_id=ids["<|eos|>"],
        pad_id=ids["<|pad|>"],
    )


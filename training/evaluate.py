"""Held-out evaluation of a trained checkpoint in bits per byte, comparable across tokenizers.

``bits_per_byte(checkpoint, tokenizer, texts)`` encodes each text with the
checkpoint's tokenizer and scores it as the model saw documents in training:
after an EOS (documents follow EOS in the packed rows), every token of the text
is predicted from the tokens before it, in windows of the model's ``seq_len``
(each window after the first starts fresh; no token is scored twice).

- ``bits_per_byte`` = (cross-entropy summed over every scored token, in nats)
  / ln 2 / (UTF-8 bytes of the texts). The byte count does not depend on the
  tokenizer, so arms with different tokenizers compare on it.
- ``loss_per_token`` = the same sum / scored tokens (nats; depends on the tokenizer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .model import GPT
from .model_config import ModelConfig


@dataclass(frozen=True)
class HeldOutScore:
    bits_per_byte: float
    loss_per_token: float  # nats
    tokens: int  # scored tokens
    bytes: int  # UTF-8 bytes of the texts
    texts: int

    def to_dict(self) -> dict:
        return dict(vars(self))


def load_model(checkpoint: str, device: str | torch.device = "cpu") -> GPT:
    """The model of a training checkpoint (``kocorpus train``'s ``checkpoints/step-*.pt``), in eval mode."""
    ckpt = torch.load(checkpoint, map_location=device, weights_only=False)
    model = GPT(ModelConfig(**ckpt["model_config"])).to(device)
    model.load_state_dict(ckpt["model"])
    return model.eval()


def windows(ids: list[int], eos_id: int, seq_len: int) -> list[tuple[list[int], list[int]]]:
    """``(inputs, targets)`` pairs covering every token of ``ids`` exactly once as a target."""
    stream = [eos_id] + list(ids)
    return [(stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]) for s in range(0, len(ids), seq_len)]


@torch.no_grad()
def bits_per_byte(
    checkpoint: str, tokenizer_path: str, texts: list[str], *, device: str = "cpu", batch_size: int = 16
) -> HeldOutScore:
    """Score ``texts`` (see module docstring). Empty texts count zero bytes and zero tokens."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_path)
    eos = tok.token_to_id("<|eos|>")
    model = load_model(checkpoint, device)
    seq_len = model.cfg.seq_len
    pairs = [w for e in tok.encode_batch_fast(texts, add_special_tokens=False) for w in windows(e.ids, eos, seq_len)]
    total, n_tokens = 0.0, 0
    for lo in range(0, len(pairs), batch_size):
        chunk = pairs[lo : lo + batch_size]
        width = max(len(i) for i, _ in chunk)
        inp = torch.full((len(chunk), width), eos, dtype=torch.long)
        tgt = torch.full((len(chunk), width), -100, dtype=torch.long)
        for row, (i, t) in enumerate(chunk):
            inp[row, : len(i)] = torch.tensor(i)
            tgt[row, : len(t)] = torch.tensor(t)
        logits = model(inp.to(device)).float()
        total += float(F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.to(device).view(-1), ignore_index=-100, reduction="sum"))
        n_tokens += int((tgt != -100).sum())
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    return HeldOutScore(
        bits_per_byte=total / math.log(2) / n_bytes if n_bytes else float("nan"),
        loss_per_token=total / n_tokens if n_tokens else float("nan"),
        tokens=n_tokens,
        bytes=n_bytes,
        texts=len(texts),
    )

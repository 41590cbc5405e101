"""Decoder shapes: the presets and :class:`ModelConfig` (plain Python, importable without torch).

The CLI lists the presets from here, so ``kocorpus --help`` works on a machine
without the ``train`` extra.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Shape of each preset: width, layers, heads.
PRESETS: dict[str, dict[str, int]] = {
    "tiny": {"d_model": 64, "n_layers": 2, "n_heads": 4},
    "124m": {"d_model": 768, "n_layers": 12, "n_heads": 12},
    "350m": {"d_model": 1024, "n_layers": 24, "n_heads": 16},
}


def _round_up(x: int, multiple: int) -> int:
    return -(-x // multiple) * multiple


@dataclass(frozen=True)
class ModelConfig:
    """Decoder shape. ``vocab_size`` is the tokenizer's; embeddings are padded to a multiple of 64."""

    vocab_size: int
    seq_len: int
    d_model: int
    n_layers: int
    n_heads: int
    ffn_hidden: int = 0  # 0: 8/3 * d_model rounded up to a multiple of 64 (SwiGLU's usual width)
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    init_std: float = 0.02

    def __post_init__(self):
        if self.d_model % self.n_heads or (self.d_model // self.n_heads) % 2:
            raise ValueError("d_model must split into heads of even width")
        if self.ffn_hidden == 0:
            object.__setattr__(self, "ffn_hidden", _round_up(8 * self.d_model // 3, 64))

    @property
    def padded_vocab(self) -> int:
        return _round_up(self.vocab_size, 64)

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @classmethod
    def from_preset(cls, preset: str, vocab_size: int, seq_len: int, **overrides) -> "ModelConfig":
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
        return cls(vocab_size=vocab_size, seq_len=seq_len, **{**PRESETS[preset], **overrides})

    def to_dict(self) -> dict:
        return asdict(self)

    def matmul_params(self) -> int:
        """Parameters that multiply every token: the blocks' projections and the (tied) output head."""
        d, f = self.d_model, self.ffn_hidden
        return self.n_layers * (4 * d * d + 3 * d * f) + d * self.padded_vocab

    def flops_per_token(self, seq_len: int | None = None) -> float:
        """Training FLOPs per token (forward + backward), PaLM's convention:
        ``6 * matmul params + 12 * layers * d_model * seq_len`` (attention counted as full, not causal-halved)."""
        t = self.seq_len if seq_len is None else seq_len
        return 6.0 * self.matmul_params() + 12.0 * self.n_layers * self.d_model * t

"""A compact GPT-style decoder: RoPE, RMSNorm, SwiGLU, tied embeddings, ``scaled_dot_product_attention``.

Presets name the shape (width, depth, heads); the vocabulary and context length
come from the shards' manifest. ``124m`` and ``350m`` have GPT-2 small's and
medium's shapes (their exact parameter count depends on the vocabulary).
With ``segment_ids`` a position attends only to earlier positions of its own
document (a document-boundary mask); without them attention is plain causal.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

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


class Rotary(nn.Module):
    """Rotary position embedding tables (cos, sin), ``[seq_len, head_dim]``."""

    def __init__(self, head_dim: int, seq_len: int, theta: float):
        super().__init__()
        inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        freqs = torch.outer(torch.arange(seq_len, dtype=torch.float32), inv)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Rotate ``x`` of shape ``[B, H, T, D]``."""
        t = x.shape[-2]
        cos, sin = self.cos[:t].to(x.dtype), self.sin[:t].to(x.dtype)
        x1, x2 = x.chunk(2, dim=-1)
        return x * cos + torch.cat([-x2, x1], dim=-1) * sin


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, rotary: Rotary):
        super().__init__()
        self.n_heads, self.head_dim = cfg.n_heads, cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)
        self.rotary = rotary

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k = self.rotary(q), self.rotary(k)
        if mask is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


class SwiGLU(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.gate_up = nn.Linear(cfg.d_model, 2 * cfg.ffn_hidden, bias=False)
        self.down = nn.Linear(cfg.ffn_hidden, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, rotary: Rotary):
        super().__init__()
        self.norm1 = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.attn = Attention(cfg, rotary)
        self.norm2 = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.mlp = SwiGLU(cfg)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), mask)
        return x + self.mlp(self.norm2(x))


def document_mask(segment_ids: torch.Tensor) -> torch.Tensor:
    """Boolean ``[B, 1, T, T]`` mask: query i may attend key j iff j <= i and both lie in one document."""
    t = segment_ids.shape[-1]
    same = segment_ids[:, :, None] == segment_ids[:, None, :]
    causal = torch.ones(t, t, dtype=torch.bool, device=segment_ids.device).tril()
    return (same & causal).unsqueeze(1)


class GPT(nn.Module):
    """Decoder-only language model. ``forward`` returns the mean cross-entropy when given targets
    (targets of -100 are ignored), else the logits ``[B, T, padded_vocab]``."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.padded_vocab, cfg.d_model)
        rotary = Rotary(cfg.head_dim, cfg.seq_len, cfg.rope_theta)
        self.blocks = nn.ModuleList(Block(cfg, rotary) for _ in range(cfg.n_layers))
        self.norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.head = nn.Linear(cfg.d_model, cfg.padded_vocab, bias=False)
        self.head.weight = self.embed.weight  # tied
        self.apply(self._init)
        scaled = cfg.init_std / math.sqrt(2 * cfg.n_layers)  # residual projections (GPT-2)
        for blk in self.blocks:
            nn.init.normal_(blk.attn.proj.weight, std=scaled)
            nn.init.normal_(blk.mlp.down.weight, std=scaled)

    def _init(self, m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=self.cfg.init_std)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(
        self,
        input_ids: torch.Tensor,
        targets: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if input_ids.shape[1] > self.cfg.seq_len:
            raise ValueError(f"sequence of {input_ids.shape[1]} tokens is longer than the model's {self.cfg.seq_len}")
        mask = document_mask(segment_ids) if segment_ids is not None else None
        x = self.embed(input_ids)
        for blk in self.blocks:
            x = blk(x, mask)
        logits = self.head(self.norm(x))
        if targets is None:
            return logits
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)

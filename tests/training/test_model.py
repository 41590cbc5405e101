import math

import pytest
import torch
import torch.nn as nn

from kocorpus.training.mfu import mfu, peak_flops
from kocorpus.training.model import GPT, PRESETS, ModelConfig, document_mask


def tiny(vocab=70, seq_len=24, **kw):
    torch.manual_seed(0)
    return GPT(ModelConfig.from_preset("tiny", vocab, seq_len, **kw)).eval()


def test_presets_have_their_named_size():
    # with GPT-2's vocabulary the presets land on GPT-2 small's and medium's sizes
    sizes = {p: GPT(ModelConfig.from_preset(p, 50257, 64)).num_params() for p in ("124m", "350m")}
    assert 120e6 < sizes["124m"] < 128e6
    assert 340e6 < sizes["350m"] < 365e6
    assert set(PRESETS) == {"tiny", "124m", "350m"}


def test_embeddings_are_tied_and_vocab_padded():
    model = tiny(vocab=70)
    assert model.head.weight is model.embed.weight
    assert model.embed.num_embeddings == 128 and model.cfg.vocab_size == 70


def test_logits_are_causal():
    model = tiny()
    x = torch.randint(3, 70, (2, 24))
    y = x.clone()
    y[:, 15] = (y[:, 15] + 1) % 70
    a, b = model(x), model(y)
    assert torch.allclose(a[:, :15], b[:, :15], atol=1e-6)
    assert not torch.allclose(a[:, 15:], b[:, 15:], atol=1e-3)


def test_document_mask_matches_definition():
    seg = torch.tensor([[0, 0, 1, 1, 1, 2], [3, 3, 3, 3, 3, 3]])
    m = document_mask(seg)
    for b in range(2):
        for i in range(6):
            for j in range(6):
                assert bool(m[b, 0, i, j]) == (j <= i and seg[b, i] == seg[b, j])


def test_document_mask_isolates_documents():
    """With the mask, a document packed after another is predicted exactly as if it stood alone
    (RoPE makes attention depend only on relative positions)."""
    model = tiny()
    first, second = torch.randint(3, 70, (1, 9)), torch.randint(3, 70, (1, 15))
    packed = torch.cat([first, second], dim=1)
    seg = torch.tensor([[0] * 9 + [1] * 15])
    with_mask = model(packed, segment_ids=seg)
    alone = model(second)
    assert torch.allclose(with_mask[:, 9:], alone, atol=1e-5)
    without_mask = model(packed)
    assert not torch.allclose(without_mask[:, 9:], alone, atol=1e-3)


def test_loss_ignores_targets_of_minus_100():
    model = tiny()
    x = torch.randint(3, 70, (2, 24))
    t = torch.randint(3, 70, (2, 24))
    t2 = t.clone()
    t2[:, 20:] = -100
    logits = model(x)
    want = nn.functional.cross_entropy(logits[:, :20].reshape(-1, 128), t[:, :20].reshape(-1))
    assert torch.allclose(model(x, t2), want, atol=1e-6)


def test_flops_per_token_counts_every_matmul_parameter():
    cfg = ModelConfig.from_preset("124m", 32000, 1024)
    model = GPT(cfg)
    linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))
    assert cfg.matmul_params() == linear  # the tied head is counted once, as the matmul it is
    assert cfg.flops_per_token() == 6 * linear + 12 * 12 * 768 * 1024


def test_mfu_math():
    assert peak_flops("NVIDIA H100 80GB HBM3") == pytest.approx(989.4e12)
    assert peak_flops("NVIDIA H100 PCIe") == pytest.approx(756e12)
    assert peak_flops("NVIDIA A100-SXM4-80GB") == pytest.approx(312e12)
    assert peak_flops("NVIDIA H200") == pytest.approx(989.4e12)
    assert peak_flops("cpu") is None
    # 500k tokens/s at 0.9 GFLOP/token on one H100 is 45.5%; on two devices half that
    assert mfu(500e3, 0.9e9, 989.4e12) == pytest.approx(0.4548, abs=1e-4)
    assert mfu(500e3, 0.9e9, 989.4e12, devices=2) == pytest.approx(0.2274, abs=1e-4)
    assert mfu(500e3, 0.9e9, None) is None


def test_bf16_autocast_on_cpu_tracks_fp32():
    model = tiny()
    x = torch.randint(3, 70, (2, 24))
    fp32 = model(x, x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        bf16 = model(x, x)
    assert bf16.dtype == torch.float32 and math.isfinite(bf16.item())
    assert abs(bf16.item() - fp32.item()) < 0.05


def test_compiled_graph_has_no_breaks_and_matches_eager():
    """The graph torch.compile captures (fullgraph: no breaks), run through AOT autograd, gives the
    eager loss and gradients; the inductor backend is exercised in the slow test below."""
    torch._dynamo.reset()
    model = tiny()
    x = torch.randint(3, 70, (2, 24))
    seg = torch.tensor([[0] * 10 + [1] * 14, [0] * 24])
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    for s in (None, seg):
        model.zero_grad()
        want = model(x, x, s)
        want.backward()
        g_want = model.embed.weight.grad.clone()
        model.zero_grad()
        got = compiled(x, x, s)
        got.backward()
        assert torch.allclose(got, want, atol=1e-6)
        assert torch.allclose(model.embed.weight.grad, g_want, atol=1e-6)


@pytest.mark.slow
def test_inductor_compiled_model_matches_eager():
    torch._dynamo.reset()
    model = tiny()
    x = torch.randint(3, 70, (2, 24))
    compiled = torch.compile(model)
    assert torch.allclose(compiled(x, x), model(x, x), atol=1e-4)

"""Model FLOPs utilisation: achieved training FLOP/s over the device's dense bf16 peak.

``mfu = tokens_per_s * flops_per_token / peak``; FLOPs per token follow PaLM's
convention (``ModelConfig.flops_per_token``). Peaks are the vendors' dense
(no structured sparsity) bf16 tensor-core figures per device.
"""

from __future__ import annotations

#: (substring of the device name, dense bf16 peak FLOP/s), most specific first.
PEAK_BF16_FLOPS: list[tuple[str, float]] = [
    ("H100 PCIe", 756e12),
    ("H100 NVL", 835e12),
    ("H100", 989.4e12),  # SXM / HBM3
    ("H200", 989.4e12),
    ("GH200", 989.4e12),
    ("H800", 989.4e12),
    ("B200", 2250e12),
    ("A100", 312e12),
    ("A800", 312e12),
    ("L40S", 362e12),
    ("L4", 121e12),
    ("A10G", 70e12),
    ("A10", 125e12),
]


def peak_flops(device_name: str) -> float | None:
    """Dense bf16 peak FLOP/s of a device by its name (``torch.cuda.get_device_name``); None if unknown."""
    for key, flops in PEAK_BF16_FLOPS:
        if key.lower() in device_name.lower():
            return flops
    return None


def mfu(tokens_per_s: float, flops_per_token: float, peak: float | None, devices: int = 1) -> float | None:
    """Fraction of ``devices`` x ``peak`` used; ``tokens_per_s`` counts all devices together."""
    if not peak or devices < 1:
        return None
    return tokens_per_s * flops_per_token / (peak * devices)

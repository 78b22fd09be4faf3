"""Helpers shared by the text and multimodal fixture makers: seeded weights, file writing, margins."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import torch
import transformers
from safetensors.torch import save_file

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
FORMAT_VERSION = 1
LOGITS_TOLERANCE = 1e-4


def is_norm(name: str) -> bool:
    """Every Gemma-style (1 + w) RMSNorm weight (layer norms, final norm, q/k norms, projector norm)."""
    return name.endswith("norm.weight") and "layer_norm" not in name and "post_layernorm" not in name


def random_weights(model: torch.nn.Module, seed: int, stds: dict[str, float]) -> dict[str, torch.Tensor]:
    """Seeded random values for every tensor of `model`, drawn in sorted-name order (independent of
    module init order). `stds` maps a kind (see `weight_kind`) to a standard deviation. Returned in bf16."""
    gen = torch.Generator().manual_seed(seed)
    out: dict[str, torch.Tensor] = {}
    for name, param in sorted(model.state_dict().items()):
        kind = weight_kind(name)
        if kind == "layernorm_weight":  # SigLIP LayerNorm: plain w, keep it around 1
            value = 1.0 + stds[kind] * torch.randn(param.shape, generator=gen)
        elif kind == "final_norm":  # (1 + w) around `final_norm_mean` + 1: spreads the tied-head logits
            value = stds["final_norm_mean"] + stds["rmsnorm"] * torch.randn(param.shape, generator=gen)
        else:
            value = stds[kind] * torch.randn(param.shape, generator=gen)
        out[name] = value.to(torch.bfloat16).contiguous()
    return out


def weight_kind(name: str) -> str:
    if name.endswith("model.norm.weight"):
        return "final_norm"
    if is_norm(name):
        return "rmsnorm"
    if "layer_norm" in name or "post_layernorm" in name:
        return "layernorm_weight" if name.endswith("weight") else "bias"
    if name.endswith("bias"):
        return "bias"
    if "embed_tokens" in name:
        return "embedding"
    if "position_embedding" in name:
        return "position_embedding"
    if "patch_embedding" in name:
        return "patch_embedding"
    if "mm_input_projection" in name:
        return "projection"
    return "linear"


_FLAT_LIST = re.compile(r"\[[^\[\]{}]*\]")


def write_json(path: str, obj: Any) -> None:
    """Indented JSON with innermost lists (token ids, masks) kept on one line."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(obj, indent=2, sort_keys=False)
    text = _FLAT_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",") if x.strip()) + "]", text)
    if json.loads(text) != obj:
        raise ValueError(f"compact JSON changed the content of {path}")
    with open(path, "w") as f:
        f.write(text + "\n")


def save_tensors(path: str, tensors: dict[str, torch.Tensor]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata={"format": "pt"})


def top1_margins(logits: torch.Tensor) -> torch.Tensor:
    """[..., V] -> [...]: top-1 minus top-2 logit."""
    top2 = torch.topk(logits.float(), 2, dim=-1).values
    return top2[..., 0] - top2[..., 1]


def reference_versions() -> dict[str, str]:
    return {"transformers": transformers.__version__, "torch": torch.__version__}


def rel(path: str) -> str:
    return os.path.relpath(os.path.abspath(path), REPO_ROOT)


def file_size(path: str) -> int:
    return os.path.getsize(path)


def rounded(x: float) -> float:
    """Floats written to manifests: 6 significant digits (stable text, enough to judge margins)."""
    return float(f"{x:.6g}")

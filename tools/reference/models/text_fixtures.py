"""Text checkpoints (Gemma3ForCausalLM, `model.` prefix) and their golden outputs."""

from __future__ import annotations

import copy
import os
from typing import Any

import torch
from common import (
    FORMAT_VERSION,
    LOGITS_TOLERANCE,
    file_size,
    random_weights,
    reference_versions,
    rel,
    rounded,
    save_tensors,
    top1_margins,
    write_json,
)
from transformers import Gemma3ForCausalLM, Gemma3TextConfig

EOS_TOKEN_IDS = [1, 106]
PAD_TOKEN_ID = 0
BOS_TOKEN_ID = 2
MAX_NEW_TOKENS = 12
DECODE_STEPS = 4

# Standard deviations of the random weights. Norm weights are random so (1 + w) matters.
# The embedding is kept small next to the attention/MLP branches (a random model whose residual stream is
# dominated by the token's own tied embedding just repeats its last token); the final norm's weights sit
# around 3 (random, std 0.2), so (1 + w) ~ 4 spreads the logits for robust greedy margins.
TEXT_STDS = {"embedding": 0.04, "linear": 0.08, "rmsnorm": 0.2, "final_norm_mean": 3.0}

# The released config format (as gemma-3-1b-it's config.json): rope_theta, rope_local_base_freq,
# sliding_window_pattern, rope_scaling null. tie_word_embeddings is absent (default true), as there.
TINY_TEXT_CONFIG: dict[str, Any] = {
    "architectures": ["Gemma3ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "attn_logit_softcapping": None,
    "bos_token_id": BOS_TOKEN_ID,
    "cache_implementation": "hybrid",
    "eos_token_id": EOS_TOKEN_IDS,
    "final_logit_softcapping": None,
    "head_dim": 32,
    "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 64,
    "initializer_range": 0.02,
    "intermediate_size": 128,
    "max_position_embeddings": 256,
    "model_type": "gemma3_text",
    "num_attention_heads": 4,
    "num_hidden_layers": 7,
    "num_key_value_heads": 2,
    "pad_token_id": PAD_TOKEN_ID,
    "query_pre_attn_scalar": 24,
    "rms_norm_eps": 1e-06,
    "rope_local_base_freq": 10000,
    "rope_scaling": None,
    "rope_theta": 1000000,
    "sliding_window": 8,
    "sliding_window_pattern": 6,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.50.0.dev0",
    "use_cache": True,
    "vocab_size": 512,
}

# The transformers >= 5 format (layer_types + rope_parameters), written by Gemma3TextConfig.to_dict().
# The layer pattern is NOT the default every-6th one, so readers must honour layer_types.
SCALED_LAYER_TYPES = [
    "sliding_attention",
    "sliding_attention",
    "full_attention",
    "sliding_attention",
    "sliding_attention",
    "full_attention",
]
TINY_TEXT_SCALED_KWARGS: dict[str, Any] = {
    "vocab_size": 512,
    "hidden_size": 48,
    "intermediate_size": 96,
    "num_hidden_layers": 6,
    "num_attention_heads": 4,
    "num_key_value_heads": 1,
    "head_dim": 16,
    "query_pre_attn_scalar": 20,
    "max_position_embeddings": 256,
    "sliding_window": 6,
    "layer_types": SCALED_LAYER_TYPES,
    "rope_parameters": {
        "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
    },
    "eos_token_id": EOS_TOKEN_IDS,
    "bos_token_id": BOS_TOKEN_ID,
    "pad_token_id": PAD_TOKEN_ID,
    "tie_word_embeddings": True,
}

GENERATION_CONFIG = {
    "bos_token_id": BOS_TOKEN_ID,
    "cache_implementation": "hybrid",
    "do_sample": True,
    "eos_token_id": EOS_TOKEN_IDS,
    "pad_token_id": PAD_TOKEN_ID,
    "top_k": 64,
    "top_p": 0.95,
}

SEEDS = {"tiny-text": 1001, "tiny-text-scaled": 2002}


def text_config_json(name: str) -> dict[str, Any]:
    if name == "tiny-text":
        return dict(TINY_TEXT_CONFIG)
    cfg = Gemma3TextConfig(**TINY_TEXT_SCALED_KWARGS).to_diff_dict()
    out = {**cfg, "architectures": ["Gemma3ForCausalLM"], "dtype": "bfloat16", "transformers_version": "5.18.0"}
    return dict(sorted(out.items()))


def write_text_checkpoint(name: str) -> str:
    ckpt_dir = os.path.join("fixtures", "checkpoints", name)
    cfg_json = text_config_json(name)
    write_json(os.path.join(ckpt_dir, "config.json"), cfg_json)
    write_json(os.path.join(ckpt_dir, "generation_config.json"), GENERATION_CONFIG)
    config = Gemma3TextConfig.from_pretrained(ckpt_dir)
    skeleton = Gemma3ForCausalLM(config)
    weights = random_weights(skeleton, SEEDS[name], TEXT_STDS)
    weights.pop("lm_head.weight")  # tied to model.embed_tokens.weight, as in the released 1B checkpoint
    save_tensors(os.path.join(ckpt_dir, "model.safetensors"), weights)
    return ckpt_dir


def load_reference(ckpt_dir: str, dtype: torch.dtype = torch.float32, config=None) -> Gemma3ForCausalLM:
    kwargs = {"config": config} if config is not None else {}
    model, info = Gemma3ForCausalLM.from_pretrained(
        ckpt_dir, dtype=dtype, attn_implementation="eager", output_loading_info=True, **kwargs
    )
    problems = {k: v for k, v in info.items() if v and k != "missing_keys"}
    missing = [k for k in info.get("missing_keys", []) if k != "lm_head.weight"]
    if problems or missing:
        raise RuntimeError(f"{ckpt_dir} did not load cleanly: {info}")
    assert torch.equal(model.lm_head.weight, model.model.embed_tokens.weight), "LM head not tied"
    return model.eval()


def prompts(vocab_size: int, seed: int) -> dict[str, tuple[list[list[int]], list[list[int]]]]:
    """name -> (input_ids, attention_mask), lists of rows. Tokens avoid pad, eos, bos except the leading bos."""
    gen = torch.Generator().manual_seed(seed)

    def row(length: int) -> list[int]:
        body = torch.randint(3, vocab_size, (length - 1,), generator=gen).tolist()
        body = [t if t not in EOS_TOKEN_IDS else t + 1 for t in body]
        return [BOS_TOKEN_ID, *body]

    short = row(5)
    long = row(40)
    a, b = row(13), row(7)
    pad = len(a) - len(b)
    return {
        "short": ([short], [[1] * len(short)]),
        "long": ([long], [[1] * len(long)]),
        "batch": ([a, [PAD_TOKEN_ID] * pad + b], [[1] * len(a), [0] * pad + [1] * len(b)]),
    }


def generate_position_ids(attention_mask: torch.Tensor) -> torch.Tensor:
    """As GenerationMixin._prepare_position_ids_for_generation in transformers 5.18:
    cumsum(mask) - 1, then 0 where mask == 0."""
    pos = attention_mask.long().cumsum(-1) - 1
    return pos.masked_fill(attention_mask == 0, 0)


@torch.no_grad()
def make_text_fixture(name: str) -> None:
    ckpt_dir = write_text_checkpoint(name)
    model = load_reference(ckpt_dir)
    model64 = load_reference(ckpt_dir, torch.float64)
    config = model.config
    golden_dir = os.path.join("fixtures", "golden", name)
    tensors: dict[str, torch.Tensor] = {}
    cases: list[dict[str, Any]] = []
    fp64_diff = 0.0
    all_margins: list[float] = []
    greedy_margins: list[float] = []
    variant_inputs = []

    for case_name, (ids_rows, mask_rows) in prompts(config.vocab_size, SEEDS[name] + 1).items():
        input_ids = torch.tensor(ids_rows)
        attention_mask = torch.tensor(mask_rows)
        position_ids = generate_position_ids(attention_mask)
        out = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False)
        logits = out.logits.float()  # [B, T, V]
        out64 = model64(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False)
        valid = attention_mask.bool()
        fp64_diff = max(fp64_diff, (out64.logits[valid] - logits[valid].double()).abs().max().item())
        margin = top1_margins(logits[valid]).min().item()
        all_margins.append(margin)
        tensors[f"{case_name}.logits"] = logits
        case: dict[str, Any] = {
            "name": case_name,
            "kind": "forward",
            "input_ids": ids_rows,
            "attention_mask": mask_rows,
            "position_ids": position_ids.tolist(),
            "tensors": {"logits": f"{case_name}.logits"},
            "min_top1_margin": rounded(margin),
        }
        variant_inputs.append((input_ids, attention_mask, position_ids, logits))
        if case_name == "long":
            hidden = model.model(
                input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False
            ).last_hidden_state.float()  # [B, T, H], after the final norm
            tensors[f"{case_name}.last_hidden_state"] = hidden
            case["tensors"]["last_hidden_state"] = f"{case_name}.last_hidden_state"

        gen_out = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            do_sample=False,
            max_new_tokens=MAX_NEW_TOKENS,
            eos_token_id=EOS_TOKEN_IDS,
            pad_token_id=PAD_TOKEN_ID,
            return_dict_in_generate=True,
            output_logits=True,
        )
        sequences = gen_out.sequences
        new_tokens = sequences[:, input_ids.shape[1] :]
        if new_tokens.shape[1] != MAX_NEW_TOKENS or any(t in EOS_TOKEN_IDS for t in new_tokens.flatten().tolist()):
            raise RuntimeError(f"{name}/{case_name}: greedy path reached eos; change the seed")
        step_logits = torch.stack(gen_out.logits, dim=1).float()  # [B, N, V]
        gmargin = top1_margins(step_logits).min().item()
        greedy_margins.append(gmargin)
        case["greedy"] = {
            "do_sample": False,
            "max_new_tokens": MAX_NEW_TOKENS,
            "eos_token_id": EOS_TOKEN_IDS,
            "pad_token_id": PAD_TOKEN_ID,
            "eos_reached": False,
            "sequences": sequences.tolist(),
            "min_top1_margin": rounded(gmargin),
        }
        cases.append(case)

    cases.append(decode_case(model, cases[1], tensors))

    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "checkpoint": rel(ckpt_dir),
        "tensors_file": rel(os.path.join(golden_dir, "golden.safetensors")),
        "reference": {
            **reference_versions(),
            "class": "Gemma3ForCausalLM",
            "dtype": "float32",
            "attn_implementation": "eager",
            "weights": "checkpoint bf16 values loaded as float32 (exact)",
        },
        "tolerance": {
            "logits_max_abs": LOGITS_TOLERANCE,
            "last_hidden_state_max_abs": LOGITS_TOLERANCE,
            "justification": (
                "float32 against float32 on identical weights: only summation order differs. The reference's own "
                "float32 error against a float64 run of the same weights is fp64_vs_fp32_max_abs_logits, well "
                "below the tolerance; an implementation error (wrong scale, rope, window, norm) moves logits by "
                "far more (see diagnostics)."
            ),
            "fp64_vs_fp32_max_abs_logits": rounded(fp64_diff),
        },
        "compare": (
            "Compare logits/hidden only at positions where attention_mask == 1: at left-padding positions the "
            "reference attends with a fully masked row and its values are meaningless. Greedy sequences must be "
            "equal element for element (padding included)."
        ),
        "min_top1_margin": rounded(min(all_margins)),
        "min_top1_margin_greedy": rounded(min(greedy_margins)),
        "position_ids_rule": (
            "position_ids = cumsum(attention_mask) - 1, set to 0 where attention_mask == 0 "
            "(GenerationMixin._prepare_position_ids_for_generation, transformers 5.18); decode steps continue "
            "from the last position + 1"
        ),
        "diagnostics": diagnostics(name, model, variant_inputs),
        "cases": cases,
    }
    tensors_path = os.path.join(golden_dir, "golden.safetensors")
    save_tensors(tensors_path, tensors)
    write_json(os.path.join(golden_dir, "manifest.json"), manifest)
    print(
        f"{name}: checkpoint {file_size(os.path.join(ckpt_dir, 'model.safetensors'))} B, "
        f"golden {file_size(tensors_path)} B, min margin {min(all_margins):.4g}, "
        f"greedy margin {min(greedy_margins):.4g}, fp64 diff {fp64_diff:.3g}"
    )


@torch.no_grad()
def decode_case(model: Gemma3ForCausalLM, long_case: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict:
    """Prefill the long prompt with the reference cache (DynamicCache, sliding layers keep the window),
    then DECODE_STEPS single-token steps feeding each step's argmax."""
    input_ids = torch.tensor(long_case["input_ids"])
    attention_mask = torch.tensor(long_case["attention_mask"])
    position_ids = torch.tensor(long_case["position_ids"])
    out = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=True)
    cache = out.past_key_values
    next_token = out.logits[:, -1].argmax(-1, keepdim=True)  # [B, 1]
    steps = []
    step_logits = []
    seq = input_ids
    for _ in range(DECODE_STEPS):
        seq = torch.cat([seq, next_token], dim=1)
        attention_mask = torch.cat([attention_mask, torch.ones_like(next_token)], dim=1)
        pos = position_ids[:, -1:] + 1
        position_ids = torch.cat([position_ids, pos], dim=1)
        out = model(
            input_ids=next_token, attention_mask=attention_mask, position_ids=pos, past_key_values=cache, use_cache=True
        )
        cache = out.past_key_values
        step_logits.append(out.logits[:, -1].float())
        steps.append(
            {"input_ids": next_token.tolist(), "position_ids": pos.tolist(), "attention_mask": attention_mask.tolist()}
        )
        next_token = out.logits[:, -1].argmax(-1, keepdim=True)
    logits = torch.stack(step_logits, dim=1)  # [B, S, V]
    tensors["decode.step_logits"] = logits
    full = model(input_ids=seq, position_ids=position_ids, use_cache=False).logits[:, -DECODE_STEPS:].float()
    return {
        "name": "decode",
        "kind": "cached_decode",
        "prefill": {
            "input_ids": long_case["input_ids"],
            "attention_mask": long_case["attention_mask"],
            "position_ids": long_case["position_ids"],
            "logits": "long.logits",
        },
        "steps": steps,
        "tensors": {"step_logits": "decode.step_logits"},
        "step_logits_shape": list(logits.shape),
        "full_sequence_input_ids": seq.tolist(),
        "reference_cached_vs_full_forward_max_abs": rounded((full - logits).abs().max().item()),
        "min_top1_margin": rounded(top1_margins(logits).min().item()),
    }


@torch.no_grad()
def diagnostics(name: str, model: Gemma3ForCausalLM, inputs) -> dict[str, float]:
    """How far the logits move under common implementation mistakes (should be >> tolerance)."""

    def max_diff_with(mutate) -> float:
        cfg = copy.deepcopy(model.config)
        mutate(cfg)
        other = Gemma3ForCausalLM(cfg).eval()
        other.load_state_dict(model.state_dict())
        worst = 0.0
        for input_ids, attention_mask, position_ids, logits in inputs:
            o = other(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False)
            valid = attention_mask.bool()
            worst = max(worst, (o.logits[valid] - logits[valid]).abs().max().item())
        return rounded(worst)

    def head_dim_scale(cfg):
        cfg.query_pre_attn_scalar = cfg.head_dim

    def no_window(cfg):
        cfg.sliding_window = cfg.max_position_embeddings

    out = {
        "max_abs_logits_if_scale_uses_head_dim": max_diff_with(head_dim_scale),
        "max_abs_logits_if_no_sliding_window": max_diff_with(no_window),
    }
    if model.config.rope_parameters["full_attention"].get("rope_type") == "linear":

        def no_scaling(cfg):
            cfg.rope_parameters = copy.deepcopy(cfg.rope_parameters)
            cfg.rope_parameters["full_attention"] = {"rope_type": "default", "rope_theta": 1000000.0}

        out["max_abs_logits_if_no_linear_rope_scaling"] = max_diff_with(no_scaling)
    return out

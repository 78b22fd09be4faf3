"""Multimodal checkpoint (Gemma3ForConditionalGeneration, released tensor layout) and its golden outputs."""

from __future__ import annotations

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
from text_fixtures import BOS_TOKEN_ID, EOS_TOKEN_IDS, GENERATION_CONFIG, PAD_TOKEN_ID, generate_position_ids
from transformers import Gemma3Config, Gemma3ForConditionalGeneration

SEED = 3003
MAX_NEW_TOKENS = 8
VOCAB_SIZE = 512
# Mirrors the released layout: boi/eoi are ordinary (embedded) tokens just below the top of the text vocab
# (255999 / 256000 there); the image soft token is OUTSIDE the embedding (>= vocab_size), so the reference
# replaces it by 0 before the lookup, then scatters the image features into those positions.
BOI_TOKEN_ID = 510
EOI_TOKEN_ID = 511
IMAGE_TOKEN_ID = 512
NEWLINES_TOKEN_ID = 108  # "\n\n" in the real tokenizer; Gemma3Processor puts it around each image block
MM_TOKENS_PER_IMAGE = 4
IMAGE_SIZE = 56  # 4 x 4 patches of 14, pooled 2 x 2 -> 4 tokens
SLIDING_WINDOW = 3  # shorter than an image block: the window applies inside images on sliding layers

VLM_STDS = {
    "embedding": 0.04,
    "linear": 0.08,
    "rmsnorm": 0.2,
    "final_norm_mean": 3.0,
    "layernorm_weight": 0.2,  # SigLIP LayerNorm weights: 1 + N(0, 0.2)
    "bias": 0.05,
    "patch_embedding": 0.05,
    "position_embedding": 0.5,
    "projection": 0.15,
}

# The released config format (as gemma-3-4b-it's config.json): sparse text_config, rope_scaling linear 8.
CONFIG_JSON: dict[str, Any] = {
    "architectures": ["Gemma3ForConditionalGeneration"],
    "boi_token_index": BOI_TOKEN_ID,
    "eoi_token_index": EOI_TOKEN_ID,
    "eos_token_id": EOS_TOKEN_IDS,
    "image_token_index": IMAGE_TOKEN_ID,
    "initializer_range": 0.02,
    "mm_tokens_per_image": MM_TOKENS_PER_IMAGE,
    "model_type": "gemma3",
    "text_config": {
        "head_dim": 16,
        "hidden_size": 48,
        "intermediate_size": 96,
        "max_position_embeddings": 256,
        "model_type": "gemma3_text",
        "num_attention_heads": 4,
        "num_hidden_layers": 6,
        "num_key_value_heads": 1,
        "query_pre_attn_scalar": 20,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
        "sliding_window": SLIDING_WINDOW,
        "vocab_size": VOCAB_SIZE,
    },
    "torch_dtype": "bfloat16",
    "transformers_version": "4.50.0.dev0",
    "vision_config": {
        "hidden_size": 32,
        "image_size": IMAGE_SIZE,
        "intermediate_size": 64,
        "model_type": "siglip_vision_model",
        "num_attention_heads": 2,
        "num_hidden_layers": 2,
        "patch_size": 14,
        "vision_use_head": False,
    },
}

PREPROCESSOR_CONFIG = {
    "do_convert_rgb": None,
    "do_normalize": True,
    "do_pan_and_scan": None,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_processor_type": "Gemma3ImageProcessor",
    "image_seq_length": MM_TOKENS_PER_IMAGE,
    "image_std": [0.5, 0.5, 0.5],
    "pan_and_scan_max_num_crops": None,
    "pan_and_scan_min_crop_size": None,
    "pan_and_scan_min_ratio_to_activate": None,
    "processor_class": "Gemma3Processor",
    "resample": 2,
    "rescale_factor": 0.00392156862745098,
    "size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
}
PROCESSOR_CONFIG = {"image_seq_length": MM_TOKENS_PER_IMAGE, "processor_class": "Gemma3Processor"}


def released_name(current: str) -> str:
    """transformers 5.18 in-memory name -> the released checkpoints' name."""
    for new, old in (
        ("model.language_model.", "language_model.model."),
        ("model.vision_tower.", "vision_tower.vision_model."),
        ("model.multi_modal_projector.", "multi_modal_projector."),
    ):
        if current.startswith(new):
            return old + current[len(new) :]
    raise ValueError(f"unexpected tensor {current}")


def current_name(current: str) -> str:
    """transformers 5.18 in-memory name -> the layout transformers 4.5x wrote (model.language_model., ...)."""
    if current.startswith("model.vision_tower."):
        return "model.vision_tower.vision_model." + current[len("model.vision_tower.") :]
    return current


def write_vlm_checkpoints() -> tuple[str, str]:
    released_dir = os.path.join("fixtures", "checkpoints", "tiny-vlm")
    current_dir = os.path.join("fixtures", "checkpoints", "tiny-vlm-current")
    skeleton = Gemma3ForConditionalGeneration(Gemma3Config(**CONFIG_JSON))
    weights = random_weights(skeleton, SEED, VLM_STDS)
    weights.pop("lm_head.weight")  # tied to the embedding, absent from released checkpoints
    for ckpt_dir, rename in ((released_dir, released_name), (current_dir, current_name)):
        write_json(os.path.join(ckpt_dir, "config.json"), CONFIG_JSON)
        write_json(os.path.join(ckpt_dir, "generation_config.json"), GENERATION_CONFIG)
        write_json(os.path.join(ckpt_dir, "preprocessor_config.json"), PREPROCESSOR_CONFIG)
        write_json(os.path.join(ckpt_dir, "processor_config.json"), PROCESSOR_CONFIG)
        save_tensors(os.path.join(ckpt_dir, "model.safetensors"), {rename(k): v for k, v in weights.items()})
    return released_dir, current_dir


def load_reference(ckpt_dir: str, dtype: torch.dtype = torch.float32) -> Gemma3ForConditionalGeneration:
    model, info = Gemma3ForConditionalGeneration.from_pretrained(
        ckpt_dir, dtype=dtype, attn_implementation="eager", output_loading_info=True
    )
    if any(info.values()):
        raise RuntimeError(f"{ckpt_dir} did not load cleanly: {info}")
    assert torch.equal(model.lm_head.weight, model.model.language_model.embed_tokens.weight), "LM head not tied"
    return model.eval()


class PromptBuilder:
    def __init__(self, seed: int) -> None:
        self.gen = torch.Generator().manual_seed(seed)

    def text(self, n: int) -> list[int]:
        ids = torch.randint(3, BOI_TOKEN_ID, (n,), generator=self.gen).tolist()
        return [t if t not in EOS_TOKEN_IDS and t != NEWLINES_TOKEN_ID else t + 1 for t in ids]

    def image(self) -> torch.Tensor:
        """A normalised image as the processor outputs it: [3, S, S] in [-1, 1]."""
        return torch.rand((3, IMAGE_SIZE, IMAGE_SIZE), generator=self.gen) * 2 - 1


def image_block() -> list[int]:
    """Gemma3Processor's full_image_sequence: "\\n\\n<boi>" + mm_tokens x <image> + "<eoi>\\n\\n"."""
    return [NEWLINES_TOKEN_ID, BOI_TOKEN_ID, *[IMAGE_TOKEN_ID] * MM_TOKENS_PER_IMAGE, EOI_TOKEN_ID, NEWLINES_TOKEN_ID]


def build_cases() -> list[dict[str, Any]]:
    """Each: name, rows (token lists), images (in the order their blocks appear, row by row)."""
    p = PromptBuilder(SEED + 1)
    one = [BOS_TOKEN_ID, *p.text(3), *image_block(), *p.text(6)]
    two = [BOS_TOKEN_ID, *p.text(2), *image_block(), *p.text(3), *image_block(), *p.text(5)]
    batch_a = [BOS_TOKEN_ID, *p.text(2), *image_block(), *p.text(2), *image_block(), *p.text(4)]
    batch_b = [BOS_TOKEN_ID, *p.text(4), *image_block(), *p.text(3)]
    # Pan & scan: "Here is the original image {block} and here are some crops to help you see better "
    # + " ".join([block] * num_crops); pixel_values = the base image then its crops (N = 1 + 2 here).
    pas = [BOS_TOKEN_ID, *p.text(5), *image_block(), *p.text(10), *image_block(), *p.text(1), *image_block()]
    pas += p.text(4)
    cases = [
        {"name": "one_image", "rows": [one], "images": [p.image()]},
        {"name": "two_images", "rows": [two], "images": [p.image(), p.image()]},
        {"name": "batch", "rows": [batch_a, batch_b], "images": [p.image(), p.image(), p.image()]},
        {"name": "pan_and_scan", "rows": [pas], "images": [p.image(), p.image(), p.image()], "num_crops": [2]},
    ]
    return cases


def pad_left(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.tensor([[PAD_TOKEN_ID] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


@torch.no_grad()
def make_vlm_fixture(name: str) -> None:
    released_dir, current_dir = write_vlm_checkpoints()
    model = load_reference(released_dir)
    model_current = load_reference(current_dir)
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(), model_current.state_dict().items(), strict=True):
        assert k1 == k2 and torch.equal(v1, v2), f"layouts load differently at {k1}"
    model64 = load_reference(released_dir, torch.float64)
    golden_dir = os.path.join("fixtures", "golden", name)
    tensors: dict[str, torch.Tensor] = {}
    manifest_cases: list[dict[str, Any]] = []
    fp64_diff = 0.0
    margins: list[float] = []
    greedy_margins: list[float] = []

    for spec in build_cases():
        case_name = spec["name"]
        input_ids, attention_mask = pad_left(spec["rows"])
        position_ids = generate_position_ids(attention_mask)
        token_type_ids = (input_ids == IMAGE_TOKEN_ID).long()  # as Gemma3Processor: 1 on image soft tokens
        pixel_values = torch.stack(spec["images"])  # [N, 3, S, S]
        inputs = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "position_ids": position_ids,
            "token_type_ids": token_type_ids,
            "pixel_values": pixel_values,
        }
        features = model.get_image_features(pixel_values, return_dict=True)
        tensors[f"{case_name}.pixel_values"] = pixel_values
        tensors[f"{case_name}.vision_last_hidden_state"] = features.last_hidden_state.float()  # [N, P, Dv]
        tensors[f"{case_name}.image_features"] = features.pooler_output.float()  # [N, mm_tokens, H]
        out = model(**inputs, use_cache=False)
        logits = out.logits.float()  # [B, T, V]
        tensors[f"{case_name}.logits"] = logits
        valid = attention_mask.bool()
        out64 = model64(**{**inputs, "pixel_values": pixel_values.double()}, use_cache=False)
        fp64_diff = max(fp64_diff, (out64.logits[valid] - logits[valid].double()).abs().max().item())
        margin = top1_margins(logits[valid]).min().item()
        margins.append(margin)

        gen_out = model.generate(
            **{k: v for k, v in inputs.items() if k != "position_ids"},
            do_sample=False,
            max_new_tokens=MAX_NEW_TOKENS,
            eos_token_id=EOS_TOKEN_IDS,
            pad_token_id=PAD_TOKEN_ID,
            return_dict_in_generate=True,
            output_logits=True,
        )
        new_tokens = gen_out.sequences[:, input_ids.shape[1] :]
        if new_tokens.shape[1] != MAX_NEW_TOKENS or any(t in EOS_TOKEN_IDS for t in new_tokens.flatten().tolist()):
            raise RuntimeError(f"{name}/{case_name}: greedy path reached eos; change the seed")
        gmargin = top1_margins(torch.stack(gen_out.logits, dim=1)).min().item()
        greedy_margins.append(gmargin)
        case: dict[str, Any] = {
            "name": case_name,
            "kind": "forward",
            "input_ids": input_ids.tolist(),
            "attention_mask": attention_mask.tolist(),
            "position_ids": position_ids.tolist(),
            "token_type_ids": token_type_ids.tolist(),
            "num_images": pixel_values.shape[0],
            "tensors": {
                "pixel_values": f"{case_name}.pixel_values",
                "vision_last_hidden_state": f"{case_name}.vision_last_hidden_state",
                "image_features": f"{case_name}.image_features",
                "logits": f"{case_name}.logits",
            },
            "min_top1_margin": rounded(margin),
            "greedy": {
                "do_sample": False,
                "max_new_tokens": MAX_NEW_TOKENS,
                "eos_token_id": EOS_TOKEN_IDS,
                "pad_token_id": PAD_TOKEN_ID,
                "eos_reached": False,
                "sequences": gen_out.sequences.tolist(),
                "min_top1_margin": rounded(gmargin),
            },
        }
        if "num_crops" in spec:
            case["num_crops"] = spec["num_crops"]
        manifest_cases.append(case)

        if case_name == "one_image":
            # The same input with the bidirectional image mask REMOVED (token_type_ids=None makes the
            # reference build its plain causal/sliding masks). An implementation must NOT match this.
            causal = model(**{**inputs, "token_type_ids": None}, use_cache=False).logits.float()
            tensors["one_image_causal_only.logits"] = causal
            diff = (causal[valid] - logits[valid]).abs().max().item()
            if diff < 100 * LOGITS_TOLERANCE:
                raise RuntimeError(f"bidirectional image mask changes logits by only {diff}")
            manifest_cases.append(
                {
                    "name": "one_image_causal_only",
                    "kind": "negative_control",
                    "same_inputs_as": "one_image",
                    "token_type_ids": None,
                    "tensors": {"logits": "one_image_causal_only.logits"},
                    "max_abs_logits_diff_vs_bidirectional": rounded(diff),
                    "note": (
                        "Logits the reference gives when the bidirectional image mask is dropped "
                        "(token_type_ids=None). A correct implementation matches one_image.logits and differs "
                        "from these by about max_abs_logits_diff_vs_bidirectional."
                    ),
                }
            )

    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "checkpoint": rel(released_dir),
        "checkpoint_current_layout": rel(current_dir),
        "tensors_file": rel(os.path.join(golden_dir, "golden.safetensors")),
        "reference": {
            **reference_versions(),
            "class": "Gemma3ForConditionalGeneration",
            "dtype": "float32",
            "attn_implementation": "eager",
            "weights": "checkpoint bf16 values loaded as float32 (exact)",
        },
        "tolerance": {
            "logits_max_abs": LOGITS_TOLERANCE,
            "image_features_max_abs": LOGITS_TOLERANCE,
            "vision_last_hidden_state_max_abs": LOGITS_TOLERANCE,
            "justification": (
                "float32 against float32 on identical weights: only summation order differs. The reference's own "
                "float32 error against a float64 run of the same weights is fp64_vs_fp32_max_abs_logits."
            ),
            "fp64_vs_fp32_max_abs_logits": rounded(fp64_diff),
        },
        "compare": (
            "Compare logits only at positions where attention_mask == 1 (left padding is meaningless). Greedy "
            "sequences must be equal element for element."
        ),
        "special_tokens": {
            "image_token_id": IMAGE_TOKEN_ID,
            "boi_token_id": BOI_TOKEN_ID,
            "eoi_token_id": EOI_TOKEN_ID,
            "newlines_token_id": NEWLINES_TOKEN_ID,
            "text_vocab_size": VOCAB_SIZE,
            "image_block": image_block(),
            "note": "image_token_id >= vocab_size: replaced by 0 (pad) for the embedding lookup",
        },
        "image_mask_rule": (
            "token_type_ids == 1 marks image soft tokens; a maximal run of them is one image (group). Full layers: "
            "causal OR same-group. Sliding layers: (k > q - sliding_window) AND (causal OR same-group), so later "
            "tokens of the same image stay visible and the window only cuts the past. AND padding mask. Only in "
            "the prefill: generate() drops token_type_ids for decode steps (plain causal/sliding)."
        ),
        "min_top1_margin": rounded(min(margins)),
        "min_top1_margin_greedy": rounded(min(greedy_margins)),
        "position_ids_rule": (
            "position_ids = cumsum(attention_mask) - 1, set to 0 where attention_mask == 0 "
            "(GenerationMixin._prepare_position_ids_for_generation, transformers 5.18)"
        ),
        "cases": manifest_cases,
    }
    tensors_path = os.path.join(golden_dir, "golden.safetensors")
    save_tensors(tensors_path, tensors)
    write_json(os.path.join(golden_dir, "manifest.json"), manifest)
    causal_case = next(c for c in manifest_cases if c["name"] == "one_image_causal_only")
    print(
        f"{name}: checkpoint {file_size(os.path.join(released_dir, 'model.safetensors'))} B, golden "
        f"{file_size(tensors_path)} B, min margin {min(margins):.4g}, greedy margin {min(greedy_margins):.4g}, "
        f"fp64 diff {fp64_diff:.3g}, no-bidirectional diff {causal_case['max_abs_logits_diff_vs_bidirectional']}"
    )

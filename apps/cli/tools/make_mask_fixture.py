"""Attention masks of Gemma 3 with images, from the reference (transformers), for `gemma3 mask`'s test.

    /work/refvenv/bin/python apps/cli/tools/make_mask_fixture.py   # writes apps/cli/fixtures/attention-masks.json

Builds the masks the way Gemma3Model.forward does for a prompt with images (token_type_ids ->
block_sequence_ids -> create_masks_for_vision_model, eager attention: a [B, 1, T, T] float mask,
0 = visible) and stores them as 0/1 rows per case.
"""

import json
from pathlib import Path

import torch
import transformers
from transformers import Gemma3TextConfig
from transformers.models.gemma3.modeling_gemma3 import (
    create_masks_for_vision_model,
    get_block_sequence_ids_for_mask,
)

CASES = [
    # name, token types (1 = image soft token), sliding window
    ("text-only", [0] * 9, 3),
    ("one-image-window-2", [0, 0, 1, 1, 1, 0, 1, 1, 0], 2),
    ("one-image-longer-than-window", [0, 1, 1, 1, 1, 1, 1, 0, 0, 0], 3),
    ("two-images-window-4", [0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0], 4),
]


def masks(types: list[int], window: int) -> dict:
    config = Gemma3TextConfig(
        vocab_size=16, hidden_size=8, intermediate_size=16, num_hidden_layers=2,
        num_attention_heads=1, num_key_value_heads=1, head_dim=8, sliding_window=window,
        layer_types=["sliding_attention", "full_attention"],
    )
    config._attn_implementation = "eager"
    t = len(types)
    token_type_ids = torch.tensor([types])
    mapping = create_masks_for_vision_model(
        config=config,
        inputs_embeds=torch.zeros(1, t, 8),
        attention_mask=torch.ones(1, t, dtype=torch.long),
        past_key_values=None,
        position_ids=torch.arange(t)[None],
        block_sequence_ids=get_block_sequence_ids_for_mask(token_type_ids),
    )
    out = {}
    for kind in ("sliding_attention", "full_attention"):
        m = mapping[kind]  # [B, 1, T, T]: 0 visible, large negative masked (eager float mask)
        visible = (m[0, 0] == 0) if m.dtype.is_floating_point else m[0, 0]
        out[kind] = ["".join("1" if v else "0" for v in row.tolist()) for row in visible]
    return out


fixture = {
    "source": f"transformers {transformers.__version__}, create_masks_for_vision_model (eager)",
    "cases": [{"name": n, "token_types": types, "sliding_window": w, **masks(types, w)} for n, types, w in CASES],
}
path = Path(__file__).resolve().parent.parent / "fixtures" / "attention-masks.json"
path.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {path}")

"""Writes fixtures/reference-tensors.json: configs of tiny Gemma 3 models and the state_dict names and
shapes that the reference (transformers) builds for them, to test expectedTensorShapes.

  /work/refvenv/bin/python packages/config/tools/list-reference-tensors.py
"""

import json
import pathlib

from transformers import Gemma3Config, Gemma3ForCausalLM, Gemma3ForConditionalGeneration, Gemma3TextConfig

text = dict(
    model_type="gemma3_text", vocab_size=1000, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
    num_attention_heads=2, num_key_value_heads=1, head_dim=32, pad_token_id=0, bos_token_id=2, eos_token_id=1,
)
cases = []
for tied in (True, False):
    config = dict(text, tie_word_embeddings=tied)
    model = Gemma3ForCausalLM(Gemma3TextConfig(**config))
    cases.append({"config": config, "tied": tied, "tensors": {k: list(v.shape) for k, v in model.state_dict().items()}})
for use_head in (False, True):
    config = dict(
        model_type="gemma3",
        text_config=text,
        vision_config=dict(model_type="siglip_vision_model", hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                           num_attention_heads=2, image_size=56, patch_size=14, vision_use_head=use_head),
        mm_tokens_per_image=4, image_token_index=999, boi_token_index=997, eoi_token_index=998,
    )
    model = Gemma3ForConditionalGeneration(Gemma3Config(**config))
    cases.append({"config": config, "tied": True, "tensors": {k: list(v.shape) for k, v in model.state_dict().items()}})
out = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "reference-tensors.json"
out.write_text(json.dumps(cases, indent=1))
print("wrote", out)

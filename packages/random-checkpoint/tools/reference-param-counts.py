"""Writes fixtures/reference-param-counts.json: parameter counts (tied LM head counted once) of the
released gemma-3-1b-it and gemma-3-4b-it architectures as transformers builds them (on the meta device,
no memory), to check the 1b / 4b presets' tensor lists without writing them.

  /work/refvenv/bin/python packages/random-checkpoint/tools/reference-param-counts.py
"""

import json
import pathlib

import torch
from transformers import Gemma3Config, Gemma3ForCausalLM, Gemma3ForConditionalGeneration, Gemma3TextConfig

configs = pathlib.Path(__file__).resolve().parents[2] / "config" / "fixtures"
out = {}
for preset, name, config_cls, model_cls in [
    ("1b", "gemma-3-1b-it", Gemma3TextConfig, Gemma3ForCausalLM),
    ("4b", "gemma-3-4b-it", Gemma3Config, Gemma3ForConditionalGeneration),
]:
    config = config_cls(**json.loads((configs / f"{name}.config.json").read_text()))
    with torch.device("meta"):
        model = model_cls(config)
    params = {id(p): p for p in model.parameters()}  # tied weights once
    out[preset] = {"parameters": sum(p.numel() for p in params.values()), "tensors": len(params)}
path = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "reference-param-counts.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(out)

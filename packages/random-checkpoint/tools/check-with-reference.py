"""Loads random checkpoints written by `gemma3 create-random` with the reference (transformers) and runs
them: no missing or unexpected weights, the tokenizer and processor load, logits are finite.

  gemma3 create-random --preset tiny-text --out /tmp/tt && gemma3 create-random --preset tiny-vlm --out /tmp/tv
  /work/refvenv/bin/python packages/random-checkpoint/tools/check-with-reference.py /tmp/tt /tmp/tv
"""

import sys

import torch
from PIL import Image
from transformers import AutoModelForCausalLM, AutoModelForImageTextToText, AutoProcessor, AutoTokenizer

text_dir, vlm_dir = sys.argv[1], sys.argv[2]

model, info = AutoModelForCausalLM.from_pretrained(text_dir, output_loading_info=True, dtype=torch.float32)
problems = {k: v for k, v in info.items() if v}
assert not problems, problems
tokenizer = AutoTokenizer.from_pretrained(text_dir)
inputs = tokenizer("Hello world, this is a tiny random Gemma", return_tensors="pt")
with torch.no_grad():
    logits = model(**inputs).logits
assert torch.isfinite(logits).all()
print(type(model).__name__, "ok", tuple(logits.shape))

model, info = AutoModelForImageTextToText.from_pretrained(vlm_dir, output_loading_info=True, dtype=torch.float32)
problems = {k: v for k, v in info.items() if v}
assert not problems, problems
processor = AutoProcessor.from_pretrained(vlm_dir)
messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe."}]}]
prompt = processor.apply_chat_template(messages, add_generation_prompt=True)
inputs = processor(text=prompt, images=Image.new("RGB", (300, 200), (120, 30, 200)), return_tensors="pt")
with torch.no_grad():
    logits = model(**inputs).logits
assert torch.isfinite(logits).all()
image_tokens = int((inputs.input_ids == model.config.image_token_index).sum())
print(type(model).__name__, "ok", tuple(logits.shape), "image tokens", image_tokens)

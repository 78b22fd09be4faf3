"""Reference timing for the vision bench: transformers' SigLIP vision tower + Gemma3MultiModalProjector
(torch, CPU, float32) on the same checkpoint and pixels as our encoder. Prints one JSON line.

Usage: python vision_reference.py DIR PIXELS.bin WARMUP RUNS THREADS FEATURES_OUT.bin ATTN
"""

import json
import resource
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import Gemma3Config
from transformers.models.gemma3.modeling_gemma3 import Gemma3MultiModalProjector
from transformers.models.siglip.modeling_siglip import SiglipVisionModel


def main() -> None:
    folder, pixels_path, warmup, runs, threads, features_path, attn = sys.argv[1:8]
    torch.set_num_threads(int(threads))
    with open(f"{folder}/config.json") as f:
        config = Gemma3Config(**json.load(f))
    config.vision_config._attn_implementation = attn
    vision = SiglipVisionModel(config.vision_config).eval()
    projector = Gemma3MultiModalProjector(config).eval()
    # The bf16 tensors as stored: load_state_dict copies each into the fp32 parameters (converting),
    # so the weights are held once in fp32 plus once in bf16.
    tensors = load_file(f"{folder}/model.safetensors")
    # SiglipVisionModel's own parameter names: the checkpoint's, minus the vision model prefix.
    prefix = "model.vision_tower.vision_model."
    vision.load_state_dict(
        {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True
    )
    prefix = "model.multi_modal_projector."
    projector.load_state_dict(
        {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True
    )
    del tensors
    size = config.vision_config.image_size
    pixels = torch.from_numpy(np.fromfile(pixels_path, dtype=np.float32).reshape(1, 3, size, size))
    times = []
    with torch.inference_mode():
        for i in range(int(warmup) + int(runs)):
            start = time.perf_counter()
            hidden = vision(pixel_values=pixels).last_hidden_state
            features = projector(hidden)
            if i >= int(warmup):
                times.append((time.perf_counter() - start) * 1000)
    features.numpy().astype(np.float32).reshape(-1).tofile(features_path)
    print(
        json.dumps(
            {
                "perImageMs": times,
                "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "torch": torch.__version__,
                "attn": attn,
            }
        )
    )


if __name__ == "__main__":
    main()

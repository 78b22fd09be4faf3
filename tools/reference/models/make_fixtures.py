"""Tiny random Gemma 3 checkpoints and golden outputs from the Hugging Face reference.

Run from the repository root with the reference venv (see tools/reference/README.md):

    /work/refvenv/bin/python tools/reference/models/make_fixtures.py [--only NAME ...]

Writes fixtures/checkpoints/NAME/ (config.json, generation_config.json, model.safetensors in bf16)
and fixtures/golden/NAME/ (manifest.json + golden.safetensors, float32). Goldens are computed by
loading the SAVED checkpoint back in float32 with attn_implementation="eager", so the reference and
the code under test see identical weights. Deterministic: a second run writes identical bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import REPO_ROOT  # noqa: E402

NAMES = ["tiny-text", "tiny-text-scaled", "tiny-vlm"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=NAMES, help="regenerate only these fixtures")
    args = parser.parse_args()
    torch.set_num_threads(1)  # same reduction order on every run
    torch.use_deterministic_algorithms(True)
    names = args.only or NAMES
    os.chdir(REPO_ROOT)
    for name in names:
        if name in ("tiny-text", "tiny-text-scaled"):
            from text_fixtures import make_text_fixture

            make_text_fixture(name)
        else:
            from vlm_fixtures import make_vlm_fixture

            make_vlm_fixture(name)


if __name__ == "__main__":
    main()

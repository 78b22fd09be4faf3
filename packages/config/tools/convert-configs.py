"""Writes fixtures/*.v5.config.json: the released configs as transformers >= 5 saves them
(layer_types + rope_parameters), so tests can check both formats parse to the same object.

  /work/refvenv/bin/python packages/config/tools/convert-configs.py
"""

import json
import pathlib

from transformers import Gemma3Config, Gemma3TextConfig

fixtures = pathlib.Path(__file__).resolve().parent.parent / "fixtures"
for name, cls in [("gemma-3-1b-it", Gemma3TextConfig), ("gemma-3-4b-it", Gemma3Config)]:
    released = json.loads((fixtures / f"{name}.config.json").read_text())
    config = cls(**released)
    (fixtures / f"{name}.v5.config.json").write_text(config.to_json_string(use_diff=False))
    print("wrote", name)

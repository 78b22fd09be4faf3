"""Golden outputs of transformers' logits processors for @gemma3/generation's parity test.

Runs RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper,
MinPLogitsWarper (and the chain transformers' generate() builds from a GenerationConfig) on fixed
float32 logit rows and writes packages/generation/fixtures/logits-processors.json.

Run: /work/refvenv/bin/python tools/reference/generation/make_fixtures.py
"""

import json
import math
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import GenerationConfig, Gemma3ForCausalLM, Gemma3TextConfig
from transformers.generation.logits_process import (
    MinPLogitsWarper,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

OUT = Path(__file__).resolve().parents[3] / "packages" / "generation" / "fixtures" / "logits-processors.json"
VOCAB = 32


def logits_rows() -> torch.Tensor:
    """[2, VOCAB] float32: random normal x 3 with a tie (ids 3 and 7) and both signs."""
    rng = np.random.default_rng(20261128)
    rows = (rng.standard_normal((2, VOCAB)) * 3).astype(np.float32)
    rows[0, 7] = rows[0, 3]  # a tie for top-k (both kept by `scores < kth`)
    return torch.from_numpy(rows)


def encode(t: torch.Tensor) -> list:
    """JSON has no infinities: -inf is written as the string "-inf"."""
    return [[("-inf" if math.isinf(v) and v < 0 else v) for v in row] for row in t.tolist()]


def main() -> None:
    torch.manual_seed(0)
    scores = logits_rows()
    input_ids = torch.tensor([[0, 5, 5, 9, 3, 17], [1, 2, 4, 4, 30, 31]])
    cases = []

    def add(name: str, processor, params: dict, ids=input_ids, s=scores):
        out = processor(ids, s.clone())
        cases.append({"name": name, "params": params, "inputIds": ids.tolist(), "scores": encode(s), "expected": encode(out)})

    for penalty in (1.3, 0.7):
        add(f"repetition_penalty={penalty}", RepetitionPenaltyLogitsProcessor(penalty), {"repetitionPenalty": penalty})
    for t in (0.7, 1.5):
        add(f"temperature={t}", TemperatureLogitsWarper(t), {"temperature": t})
    for k in (1, 4, 10):
        add(f"top_k={k}", TopKLogitsWarper(k), {"topK": k})
    for p in (0.3, 0.8, 0.95):
        add(f"top_p={p}", TopPLogitsWarper(p), {"topP": p})
    for m in (0.05, 0.3):
        add(f"min_p={m}", MinPLogitsWarper(m), {"minP": m})

    # The chain generate() builds (order included), from a GenerationConfig on a tiny model.
    tiny = Gemma3ForCausalLM(
        Gemma3TextConfig(vocab_size=VOCAB, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                         num_attention_heads=1, num_key_value_heads=1, head_dim=8)
    )
    chain_settings = [
        {"repetitionPenalty": 1.2, "temperature": 0.8, "topK": 12, "topP": 0.9, "minP": 0.05, "doSample": True},
        {"repetitionPenalty": 1.5, "temperature": 1.3, "topK": 0, "topP": 0.7, "doSample": True},
        {"repetitionPenalty": 1.1, "temperature": 0.5, "topK": 6, "doSample": False},
    ]
    for settings in chain_settings:
        config = GenerationConfig(
            do_sample=settings["doSample"], repetition_penalty=settings["repetitionPenalty"],
            temperature=settings["temperature"], top_k=settings["topK"], top_p=settings.get("topP", 1.0),
            min_p=settings.get("minP"), eos_token_id=[1], pad_token_id=0,
        )
        tiny._prepare_special_tokens(config, True, device="cpu")
        processors = tiny._get_logits_processor(generation_config=config, input_ids_seq_length=input_ids.shape[1])
        names = [type(p).__name__ for p in processors]
        add(f"generate chain {names}", processors, settings)
        cases[-1]["processors"] = names

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "formatVersion": 1,
        "source": f"transformers {transformers.__version__}, torch {torch.__version__}, float32",
        "script": "tools/reference/generation/make_fixtures.py",
        "cases": cases,
    }, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()

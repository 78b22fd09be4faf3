"""Golden greedy generate() runs of transformers for @gemma3/generation's loop parity test.

A tiny random Gemma3ForCausalLM generates greedily for a left-padded batch with an eos list,
pad_token_id, repetition_penalty and min_new_tokens. The raw logits of every step (output_logits)
and the returned sequences are saved; the test replays the logits through a fake model and checks
that generate() returns the same sequences (eos handling, padding after a finished row, processors).

Run: /work/refvenv/bin/python tools/reference/generation/make_generate_fixtures.py
"""

import json
from pathlib import Path

import torch
import transformers
from transformers import Gemma3ForCausalLM, Gemma3TextConfig

OUT = Path(__file__).resolve().parents[3] / "packages" / "generation" / "fixtures" / "generate-greedy.json"
VOCAB = 48
PAD = 0


def tiny_model() -> Gemma3ForCausalLM:
    torch.manual_seed(7)
    config = Gemma3TextConfig(
        vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=8, sliding_window=4, pad_token_id=PAD, bos_token_id=2, eos_token_id=1,
    )
    model = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)  # larger weights than the init: less repetitive greedy output
    return model


def run(model, input_ids, attention_mask, **kwargs):
    with torch.no_grad():
        out = model.generate(
            input_ids=input_ids, attention_mask=attention_mask, do_sample=False, return_dict_in_generate=True,
            output_logits=True, pad_token_id=PAD, **kwargs,
        )
    return out.sequences.tolist(), [step.tolist() for step in out.logits]


def main() -> None:
    model = tiny_model()
    input_ids = torch.tensor([[PAD, PAD, 2, 10, 11], [2, 20, 21, 22, 23], [PAD, PAD, PAD, 2, 30]])
    attention_mask = (input_ids != PAD).long()
    free, _ = run(model, input_ids, attention_mask, max_new_tokens=10, eos_token_id=None)
    new = [row[5:] for row in free]
    # eos ids that rows reach at different steps (first occurrence in each row's free run)
    eos = sorted({new[0][2], new[1][5]})
    cases = []
    for name, kwargs in [
        ("greedy, eos 1 never produced", dict(max_new_tokens=8, eos_token_id=[1])),
        ("greedy, eos list: rows stop at different steps, then pad", dict(max_new_tokens=10, eos_token_id=eos)),
        ("repetition penalty 1.5 + eos list", dict(max_new_tokens=10, eos_token_id=eos, repetition_penalty=1.5)),
        ("min_new_tokens 4 + eos list", dict(max_new_tokens=10, eos_token_id=eos, min_new_tokens=4)),
    ]:
        sequences, logits = run(model, input_ids, attention_mask, **kwargs)
        cases.append({
            "name": name,
            "options": {
                "maxNewTokens": kwargs["max_new_tokens"],
                "eosTokenId": kwargs.get("eos_token_id", []),
                "padTokenId": PAD,
                "repetitionPenalty": kwargs.get("repetition_penalty", 1.0),
                "minNewTokens": kwargs.get("min_new_tokens", 0),
            },
            "inputIds": input_ids.tolist(),
            "attentionMask": attention_mask.tolist(),
            "rawLogits": logits,  # [steps][B][V] float32, before any processor
            "sequences": sequences,
        })
    # Padding counts as "seen" for the repetition penalty (the reference penalises every id in
    # input_ids): pad with 34, the tiny model's favourite token, so that it matters.
    padded = torch.where(attention_mask == 1, input_ids, torch.full_like(input_ids, 34))
    with torch.no_grad():
        out = model.generate(
            input_ids=padded, attention_mask=attention_mask, do_sample=False, return_dict_in_generate=True,
            output_logits=True, pad_token_id=34, eos_token_id=[1], max_new_tokens=6, repetition_penalty=1.5,
        )
    cases.append({
        "name": "repetition penalty counts the prompt's padding (pad id 34)",
        "options": {"maxNewTokens": 6, "eosTokenId": [1], "padTokenId": 34, "repetitionPenalty": 1.5, "minNewTokens": 0},
        "inputIds": padded.tolist(),
        "attentionMask": attention_mask.tolist(),
        "rawLogits": [step.tolist() for step in out.logits],
        "sequences": out.sequences.tolist(),
    })
    OUT.write_text(json.dumps({
        "formatVersion": 1,
        "source": f"transformers {transformers.__version__}, torch {torch.__version__}, float32",
        "script": "tools/reference/generation/make_generate_fixtures.py",
        "vocabSize": VOCAB,
        "cases": cases,
    }) + "\n")
    for c in cases:
        print(c["name"], [row[5:] for row in c["sequences"]])
    print(f"eos {eos}; wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

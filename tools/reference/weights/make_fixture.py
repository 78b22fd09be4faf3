"""Writes packages/weights/fixtures/reference.safetensors (+ reference.json) with the reference libraries.

A tiny safetensors file written by Python `safetensors.torch.save_file` (0.8) from torch tensors, so the
TypeScript reader is tested on a file it did not write, and torch's float32 -> bfloat16 / float16
rounding is pinned down on edge cases (ties, subnormals, overflow, NaN, infinities).

Run from the repository root:  /work/refvenv/bin/python tools/reference/weights/make_fixture.py
Deterministic (seeded; fixed values): running it twice writes identical bytes.

With --check PATH it instead reads a file written by the TypeScript writer (see
packages/weights/scripts/write-crosscheck.ts) with Python safetensors and checks every tensor.
"""

import argparse
import json
import math
import struct
from pathlib import Path

import safetensors
import torch
from safetensors import safe_open
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[3]
OUT_DIR = ROOT / "packages" / "weights" / "fixtures"


def f32(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def edge_values() -> list[float]:
    """float32 values whose 16-bit rounding is easy to get wrong."""
    return [
        1.0, -2.5, 3.14159, 0.0, -0.0, math.inf, -math.inf, math.nan,
        f32(0x3F808000),  # bf16 tie, even upper half: stays
        f32(0x3F818000),  # bf16 tie, odd upper half: rounds up
        f32(0x3F808001), f32(0x3F807FFF),
        f32(0x7F7FFFFF),  # largest float32: bf16 Infinity, f16 Infinity
        f32(0x00010000), f32(0x00008000), f32(0x00018000), f32(0x00000001),  # float32 subnormals
        65504.0, 65519.0, 65520.0, 1e6,  # float16 top of range
        2.0**-14, 2.0**-24, 2.0**-25, 1.5 * 2.0**-25, 3 * 2.0**-25, 1023 * 2.0**-24,  # float16 subnormals
        1 + 2.0**-11, 1 + 3 * 2.0**-11,  # float16 ties in the normal range
        -1e-30, 1e-45,
    ]


def make() -> None:
    torch.manual_seed(1234)
    edges = torch.tensor(edge_values(), dtype=torch.float32)
    randoms = torch.randn(4096, dtype=torch.float32) * torch.logspace(-8, 8, 4096, base=2.0)
    values = torch.cat([edges, randoms])
    matrix = torch.randn(3, 5, dtype=torch.float32).to(torch.bfloat16)
    tensors = {
        "values_f32": values,
        "values_bf16": values.to(torch.bfloat16),  # torch's rounding, compared bit for bit
        "values_f16": values.to(torch.float16),
        "matrix_bf16": matrix,
        "matrix_bf16_as_f32": matrix.to(torch.float32),
        "ids_i64": torch.tensor([[0, -1, 2**62], [7, 262143, -(2**63)]], dtype=torch.int64),
        "mask_bool": torch.tensor([True, False, True]),
        "scalar_f32": torch.tensor(0.25, dtype=torch.float32),
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / "reference.safetensors"
    # One metadata key only: safetensors (Rust) serialises __metadata__ from a HashMap, in random order.
    save_file(tensors, str(path), metadata={"format": "pt"})
    manifest = {
        "format_version": 1,
        "file": "reference.safetensors",
        "made_by": "tools/reference/weights/make_fixture.py",
        "reference": {"safetensors": safetensors.__version__, "torch": torch.__version__},
        "edge_value_count": len(edges),
        "tensors": {
            name: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)} for name, t in tensors.items()
        },
        "ids_i64": tensors["ids_i64"].tolist(),
        "mask_bool": tensors["mask_bool"].tolist(),
    }
    (OUT_DIR / "reference.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def check(path: str) -> None:
    """Checks a file written by packages/weights/scripts/write-crosscheck.ts (same values, recomputed here)."""
    values = torch.tensor(edge_values(), dtype=torch.float32)
    with safe_open(path, "pt") as f:
        assert f.metadata() == {"writer": "@gemma3/weights"}, f.metadata()
        got = {name: f.get_tensor(name) for name in f.keys()}
    expected = {
        "values_f32": values,
        "values_bf16": values.to(torch.bfloat16),
        "values_f16": values.to(torch.float16),
        "ids_i64": torch.tensor([[0, -1, 2**62], [7, 262143, -(2**63)]], dtype=torch.int64),
        "mask_bool": torch.tensor([True, False, True]),
        "scalar_f32": torch.tensor(0.25, dtype=torch.float32),
        "empty_f32": torch.zeros(0, 3, dtype=torch.float32),
    }
    assert sorted(got) == sorted(expected), sorted(got)
    for name, want in expected.items():
        have = got[name]
        assert have.dtype == want.dtype and have.shape == want.shape, (name, have.dtype, have.shape)
        if want.dtype in (torch.bfloat16, torch.float16):
            # Bit for bit, except that any NaN matches any NaN: torch's own float32 -> bfloat16 gives
            # 0x7FC0 on its scalar path and 0xFFFF on its vectorised path.
            nan = want.isnan()
            assert torch.equal(have.isnan(), nan), name
            assert torch.equal(have.view(torch.int16)[~nan], want.view(torch.int16)[~nan]), name
        else:
            assert torch.equal(have, want) or (want.is_floating_point() and torch.equal(have.isnan(), want.isnan())
                                               and torch.equal(have.nan_to_num(), want.nan_to_num())), name
    print(f"ok: {len(expected)} tensors of {path} read by Python safetensors {safetensors.__version__} match")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", metavar="PATH", help="check a file written by the TypeScript writer")
    args = parser.parse_args()
    check(args.check) if args.check else make()

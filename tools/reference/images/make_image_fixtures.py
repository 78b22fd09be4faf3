"""Generates the image fixtures of @gemma3/image-processor and their reference outputs.

Run: /work/refvenv/bin/python tools/reference/images/make_image_fixtures.py
(transformers 5.18, Pillow, torch + torchvision). Deterministic: fixed seeds, no network.

Writes packages/image-processor/fixtures/:
  images/*          small generated inputs (PNG, JPEG, WebP, GIF)
  reference/*.u8.gz reference outputs: uint8 [N, 3, H, W], delta-coded along each row of W values
                    (first value kept, then (v[x] - v[x-1]) mod 256), then gzip
  manifest.json     cases, shapes, num_crops, and the lookup tables (below)

Storage trick, checked here: both reference backends end with a uint8 image (PIL resize / torchvision
uint8 antialiased resize) followed by an elementwise rescale+normalize, so every float they output is
lut[channel][u8]. The script extracts each backend's table by running that backend itself on a 256x1
ramp with resizing off, then asserts that lut[u8] reproduces the backend's float32 output bit for bit
before writing u8. Tests rebuild the reference floats as lut[u8] and compare with their own floats.
"""

import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import PIL.Image
import PIL.ImageDraw
import torch
from transformers.image_utils import load_image
from transformers.models.gemma3.image_processing_gemma3 import Gemma3ImageProcessor as TorchvisionBackend
from transformers.models.gemma3.image_processing_pil_gemma3 import Gemma3ImageProcessorPil as PilBackend

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "packages/image-processor/fixtures"
IMAGES = OUT / "images"
REF = OUT / "reference"
rng = np.random.default_rng(20250312)


def smooth_noise(h, w, scale, rng, grain=6.0):
    """Low-frequency colour noise (bilinear upsampled random grid) plus gradients: photo-like."""
    gh, gw = max(2, h // scale), max(2, w // scale)
    grid = rng.integers(0, 256, (gh, gw, 3), dtype=np.uint8)
    up = np.array(PIL.Image.fromarray(grid).resize((w, h), PIL.Image.BICUBIC)).astype(np.float64)
    yy, xx = np.mgrid[0:h, 0:w]
    up[..., 0] = 0.6 * up[..., 0] + 0.4 * 255 * xx / max(1, w - 1)
    up[..., 2] = 0.6 * up[..., 2] + 0.4 * 255 * yy / max(1, h - 1)
    if grain:
        up += rng.normal(0, grain, up.shape)  # sensor-like grain
    return np.clip(np.round(up), 0, 255).astype(np.uint8)


def stripes(h, w):
    xx = np.arange(w)[None, :].repeat(h, 0)
    yy = np.arange(h)[:, None].repeat(w, 1)
    r = ((xx // 3) % 2) * 255
    g = ((xx + yy) // 5 % 2) * 200 + 20
    b = (np.sin(xx / 1.7) * 127 + 128).astype(np.int64)
    return np.stack([r, g, b], -1).astype(np.uint8)


def text_like(h, w):
    img = PIL.Image.new("L", (w, h), 255)
    d = PIL.ImageDraw.Draw(img)
    for row in range(0, h, 11):
        d.text((2, row), "The quick brown fox 0123456789 jumps; WMW iil|!", fill=0)
    return img


def save(img, name, **kw):
    path = IMAGES / name
    img.save(path, **kw)
    return path


def make_images():
    IMAGES.mkdir(parents=True, exist_ok=True)
    files = {}
    files["photo.png"] = save(PIL.Image.fromarray(smooth_noise(120, 160, 16, rng)), "photo.png")
    files["square.png"] = save(PIL.Image.fromarray(smooth_noise(64, 64, 8, rng)), "square.png")
    files["stripes-wide.png"] = save(PIL.Image.fromarray(stripes(40, 300)), "stripes-wide.png")
    files["tall.png"] = save(PIL.Image.fromarray(smooth_noise(300, 50, 10, rng)), "tall.png")
    files["tiny.png"] = save(PIL.Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)), "tiny.png")
    files["text-gray.png"] = save(text_like(64, 200), "text-gray.png")
    rgba = np.concatenate([smooth_noise(48, 64, 8, rng), rng.integers(0, 256, (48, 64, 1), dtype=np.uint8)], -1)
    rgba[:8, :, 3] = 0  # fully transparent rows that still store colours
    files["rgba.png"] = save(PIL.Image.fromarray(rgba, "RGBA"), "rgba.png")
    la = np.stack([smooth_noise(40, 56, 8, rng)[..., 1], rng.integers(0, 256, (40, 56), dtype=np.uint8)], -1)
    files["gray-alpha.png"] = save(PIL.Image.fromarray(la, "LA"), "gray-alpha.png")
    pal = PIL.Image.fromarray(smooth_noise(48, 48, 8, rng)).quantize(colors=16, method=PIL.Image.Quantize.MEDIANCUT)
    pal.info["transparency"] = 3
    files["palette-trns.png"] = save(pal, "palette-trns.png", transparency=3)
    g16 = (np.linspace(0, 1, 40 * 40).reshape(40, 40) ** 3 * 1000).astype(np.uint16)  # many values > 255
    files["gray16.png"] = save(PIL.Image.fromarray(g16), "gray16.png")
    files["rgb16.png"] = IMAGES / "rgb16.png"
    write_png16_rgb(files["rgb16.png"], rng.integers(0, 65536, (24, 32, 3), dtype=np.uint16))
    photo = PIL.Image.fromarray(smooth_noise(48, 64, 8, rng))
    files["photo.jpg"] = save(photo, "photo.jpg", quality=92)
    exif = PIL.Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    files["exif-rotate90.jpg"] = save(PIL.Image.fromarray(smooth_noise(40, 64, 8, rng)), "exif-rotate90.jpg", quality=92, exif=exif)
    cmyk = PIL.Image.fromarray(rng.integers(0, 256, (32, 32, 4), dtype=np.uint8), "CMYK")
    files["cmyk.jpg"] = save(cmyk, "cmyk.jpg", quality=95)
    files["lossless.webp"] = save(PIL.Image.fromarray(smooth_noise(40, 60, 8, rng)), "lossless.webp", lossless=True)
    frames = [PIL.Image.fromarray(smooth_noise(32, 48, 8, rng)).quantize(colors=32) for _ in range(2)]
    frames[0].save(IMAGES / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    files["animated.gif"] = IMAGES / "animated.gif"
    # Pan & scan inputs: smooth so that they stay small on disk.
    files["pas-wide.png"] = save(PIL.Image.fromarray(smooth_noise(300, 1000, 50, rng, grain=0)), "pas-wide.png")
    files["pas-tall.png"] = save(PIL.Image.fromarray(smooth_noise(700, 300, 50, rng, grain=0)), "pas-tall.png")
    files["pas-4crops.png"] = save(PIL.Image.fromarray(smooth_noise(300, 1400, 50, rng, grain=0)), "pas-4crops.png")
    # Layouts whose RGB conversion is checked against PIL pixel for pixel (decode tests only, plus one
    # resize case for the transparent GIF). Generated last so the images above keep their pixels.
    gif = PIL.Image.fromarray(smooth_noise(24, 32, 8, rng)).quantize(colors=16)
    gif.save(IMAGES / "transparent.gif", transparency=2)
    files["transparent.gif"] = IMAGES / "transparent.gif"
    for bits in (1, 2, 4):
        files[f"grey{bits}bit.png"] = IMAGES / f"grey{bits}bit.png"
        write_png_grey_lowbit(files[f"grey{bits}bit.png"], rng.integers(0, 2**bits, (9, 13), dtype=np.uint8), bits)
    exif = PIL.Image.Exif()
    exif[0x0112] = 6
    files["exif-rotate90.png"] = save(PIL.Image.fromarray(smooth_noise(10, 20, 4, rng)), "exif-rotate90.png", exif=exif)
    files["lossy.webp"] = save(PIL.Image.fromarray(smooth_noise(20, 30, 4, rng)), "lossy.webp", quality=70)
    rgba = np.concatenate([smooth_noise(20, 30, 4, rng), rng.integers(0, 256, (20, 30, 1), dtype=np.uint8)], -1)
    files["rgba-lossy.webp"] = save(PIL.Image.fromarray(rgba, "RGBA"), "rgba-lossy.webp", quality=80)
    files["grey.jpg"] = save(PIL.Image.fromarray(smooth_noise(20, 30, 4, rng)[..., 0]), "grey.jpg", quality=90)
    files["progressive.jpg"] = save(PIL.Image.fromarray(smooth_noise(33, 47, 4, rng)), "progressive.jpg", quality=85, progressive=True)
    files["subsampling444.jpg"] = save(PIL.Image.fromarray(smooth_noise(33, 47, 4, rng)), "subsampling444.jpg", quality=85, subsampling=0)
    files["grey-trns.png"] = save(PIL.Image.fromarray(smooth_noise(8, 8, 4, rng)[..., 1]), "grey-trns.png", transparency=5)
    return files


def write_png_grey_lowbit(path, values, bits):
    import struct
    import zlib

    h, w = values.shape
    rows = []
    for y in range(h):
        acc, n, row = 0, 0, bytearray()
        for x in range(w):
            acc, n = (acc << bits) | int(values[y, x]), n + bits
            if n == 8:
                row.append(acc)
                acc, n = 0, 0
        if n:
            row.append(acc << (8 - n))
        rows.append(b"\x00" + bytes(row))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, bits, 0, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def write_png16_rgb(path, arr):
    import struct
    import zlib

    h, w, _ = arr.shape
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def backend_lut(backend_cls):
    ramp = PIL.Image.fromarray(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, -1))
    out = backend_cls(do_resize=False)(ramp, return_tensors="np" if backend_cls is PilBackend else "pt")
    px = np.asarray(out["pixel_values"], dtype=np.float32)[0]  # [3, 1, 256]
    return px[:, 0, :]  # [3, 256]


def to_u8(px, lut):
    """Inverse of lut per channel, asserting exactness: px [N, 3, H, W] float32 -> uint8."""
    u8 = np.empty(px.shape, dtype=np.uint8)
    for c in range(3):
        table = lut[c]
        assert len(np.unique(table)) == 256, "lut not invertible"
        order = np.argsort(table)
        idx = np.searchsorted(table[order], px[:, c])
        idx = np.clip(idx, 0, 255)
        u8[:, c] = order[idx]
        assert np.array_equal(table[u8[:, c]].view(np.uint32), px[:, c].view(np.uint32)), "reference float not lut[u8]"
    return u8


def delta_rows(u8):
    d = u8.copy()
    d[..., 1:] = (u8[..., 1:].astype(np.int16) - u8[..., :-1].astype(np.int16)) % 256
    return d


def main():
    files = make_images()
    REF.mkdir(parents=True, exist_ok=True)
    luts = {"pil": backend_lut(PilBackend), "torchvision": backend_lut(TorchvisionBackend)}
    s64 = {"height": 64, "width": 64}
    s96 = {"height": 96, "width": 96}
    cases = [
        ("photo-64", "photo.png", s64, False),
        ("tiny-896", "tiny.png", {"height": 896, "width": 896}, False),
        ("pas-wide-896", "pas-wide.png", {"height": 896, "width": 896}, False),
        ("square-96x64", "square.png", {"height": 64, "width": 96}, False),
        ("stripes-wide-96", "stripes-wide.png", s96, False),
        ("tall-64", "tall.png", s64, False),
        ("tiny-64", "tiny.png", s64, False),
        ("text-gray-96", "text-gray.png", s96, False),
        ("rgba-64", "rgba.png", s64, False),
        ("gray-alpha-64", "gray-alpha.png", s64, False),
        ("palette-trns-64", "palette-trns.png", s64, False),
        ("gray16-64", "gray16.png", s64, False),
        ("rgb16-64", "rgb16.png", s64, False),
        ("photo-jpeg-64", "photo.jpg", s64, False),
        ("exif-rotate90-64", "exif-rotate90.jpg", s64, False),
        ("cmyk-64", "cmyk.jpg", s64, False),
        ("lossless-webp-64", "lossless.webp", s64, False),
        ("animated-gif-64", "animated.gif", s64, False),
        ("pas-wide-64", "pas-wide.png", s64, True),
        ("pas-tall-64", "pas-tall.png", s64, True),
        ("pas-4crops-64", "pas-4crops.png", s64, True),
        ("pas-photo-none-64", "photo.png", s64, True),
        ("transparent-gif-64", "transparent.gif", s64, False),
    ]
    manifest = {
        "format": "gemma3-image-fixtures/1",
        "generator": "tools/reference/images/make_image_fixtures.py",
        "transformers": __import__("transformers").__version__,
        "pillow": PIL.__version__,
        "torchvision": __import__("torchvision").__version__,
        "luts": {k: v.tolist() for k, v in luts.items()},
        "images": {},
        "cases": [],
    }
    for name, path in files.items():
        img = load_image(str(path))  # exif_transpose + convert("RGB"), as transformers loads files
        rgb = np.asarray(img, dtype=np.uint8)
        entry = {"file": f"images/{name}", "width": img.width, "height": img.height, "rgb_sha256": hashlib.sha256(rgb.tobytes()).hexdigest()}
        if name.endswith(".jpg"):
            # Keep PIL's decoded pixels of the (small) JPEGs to measure decoder differences.
            (REF / f"decoded-{name}.u8.gz").write_bytes(gzip.compress(rgb.tobytes(), 9, mtime=0))
            entry["decoded"] = f"reference/decoded-{name}.u8.gz"
        manifest["images"][name] = entry
    for case, image_name, size, pas in cases:
        img = load_image(str(files[image_name]))
        kwargs = dict(size=size, do_pan_and_scan=pas, pan_and_scan_min_crop_size=256, pan_and_scan_max_num_crops=4, pan_and_scan_min_ratio_to_activate=1.2)
        outs = {}
        for backend, cls, rt in (("pil", PilBackend, "np"), ("torchvision", TorchvisionBackend, "pt")):
            res = cls(**kwargs)(img, return_tensors=rt)
            px = np.asarray(res["pixel_values"], dtype=np.float32)
            num_crops = [int(x) for x in np.asarray(res["num_crops"]).reshape(-1)]
            u8 = to_u8(px, luts[backend])
            ref_file = f"reference/{case}.{backend}.u8.gz"
            (OUT / ref_file).write_bytes(gzip.compress(delta_rows(u8).tobytes(), 9, mtime=0))
            outs[backend] = {"file": ref_file, "shape": list(px.shape), "num_crops": num_crops}
        manifest["cases"].append({"name": case, "image": image_name, "size": size, "do_pan_and_scan": pas, **outs})
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(manifest['cases'])} cases, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()

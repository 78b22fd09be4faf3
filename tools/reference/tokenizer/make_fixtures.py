"""Golden fixtures for @gemma3/tokenizer, from the Hugging Face reference.

Encodes a multilingual corpus with the `tokenizers` library on the real Gemma 3 tokenizer.json,
decodes crafted and random id lists, and renders chat conversations with transformers'
`apply_chat_template`. Writes JSON under packages/tokenizer/fixtures/.

Run: /work/refvenv/bin/python tools/reference/tokenizer/make_fixtures.py
"""

import glob
import json
import os
import random
import shutil
import tempfile

import tokenizers
import transformers
from tokenizers import Tokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "packages", "tokenizer", "fixtures")
MODELS = glob.glob(
    os.path.join(ROOT, "node_modules", ".pnpm", "@lenml+tokenizer-gemma3@*", "node_modules", "@lenml", "tokenizer-gemma3", "models")
)[0]

# ---------------------------------------------------------------- corpus
ENGLISH = (
    "The quick brown fox jumps over the lazy dog. It's 3:45 p.m. on Tuesday, March 7th, 2023; "
    "prices rose 12.5% (from $1,234.56 to $1,388.88). \"Quotes\", 'apostrophes', and -- dashes -- abound!"
)
CODE = (
    "def fibonacci(n: int) -> int:\n"
    "\t\"\"\"Return the n-th Fibonacci number.\"\"\"\n"
    "\tif n < 2:\n\t\treturn n\n"
    "\ta, b = 0, 1\n"
    "\tfor _ in range(n - 1):\n\t\ta, b = b, a + b\n"
    "\treturn b\n\n\n"
    "class Foo {\n    constructor(x) {\n        this.x = x ?? 0;  // comment\n    }\n}\n"
    "    if (a && b || !c) { return arr.map((v, i) => v * i).filter(Boolean); }\n"
    "<div class=\"x\"><table><tr><td>cell</td></tr></table></div>\n"
)
CJK = (
    "我们今天去公园散步，天气非常好。机器学习是人工智能的一个分支。"
    "日本語のテキストも含まれています。東京は日本の首都です。カタカナとひらがな。"
    "한국어 문장도 포함되어 있습니다. 서울은 대한민국의 수도입니다."
)
ARABIC = "اللغة العربية جميلة جداً. مرحبا بكم في عالم الذكاء الاصطناعي، ١٢٣٤٥٦٧٨٩٠."
HINDI = "हिन्दी भारत की एक प्रमुख भाषा है। नमस्ते, आप कैसे हैं? क्षत्रिय, ज्ञान, श्रृंगार।"
THAI = "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ สวัสดีครับ ขอบคุณมาก"
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю. Москва — столица России."
EMOJI = "Hello 👋🏽 family: 👨‍👩‍👧‍👦, flag: 🏳️‍🌈, 🇯🇵🇺🇸, keycap 1️⃣, 🧑🏿‍🚀 and 😀😃😄😁!!"
RARE = (
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𝟙𝟚𝟛 ∮ E⋅da = Q, ∀x∈ℝ: ⌈x⌉ ≥ x. 𠀀𠀁𠀂 (CJK Ext B) \ue000\uf8ff (private use) "
    "e\u0301 vs é, ﬁ ligature, Å vs Å, ½ ², \u200b zero width, \u200d joiner, \ufeff bom, \u00a0nbsp, "
    "\u3000ideographic space, \u2028 line sep, \x00 nul, \x07 bell, \x7f del, \U0001F9FF nazar, "
    "\U000E0001 tag, \U0010FFFD last plane, 𓀀 hieroglyph, ᚠᛇᚻ runes, ✓ ☃ ♞ ⚡, ℃ №."
)
SPECIALS = (
    "<bos><start_of_turn>user\nWhat is this?<start_of_image><image_soft_token><end_of_image><end_of_turn>\n"
    "<start_of_turn>model\nIt is <b>bold</b> and <unused0><unused6241><eos><pad><unk><mask>[multimodal]"
    " <start_of_turn > <end_of_turn <bos <<bos>> </table></tfoot>"
)


def make_long_texts(rng):
    """Deterministic texts of 20 KB or more (UTF-8 bytes)."""
    sentences = [ENGLISH, CODE, CJK, ARABIC, HINDI, THAI, RUSSIAN, EMOJI, RARE]
    mixed = []
    size = 0
    while size < 24_000:
        s = rng.choice(sentences)
        sep = rng.choice([" ", "\n", "  ", "\n\n", "\t", ""])
        mixed.append(s + sep)
        size += len((s + sep).encode())
    no_spaces = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/") for _ in range(21_000))
    cjk_run = "".join(rng.choice(CJK.replace("。", "").replace("，", "").replace(" ", "")) for _ in range(8_000))
    spaces = ("a" + " " * 1000 + "\n" * 300 + "\t" * 200) * 14
    english = " ".join(ENGLISH for _ in range(110))
    return {
        "long/mixed-24KB": "".join(mixed),
        "long/base64-no-spaces-21KB": no_spaces,
        "long/cjk-run-24KB": cjk_run,
        "long/whitespace-runs-21KB": spaces,
        "long/english-22KB": english,
    }


def make_corpus():
    rng = random.Random(1234)
    corpus = {
        "empty": "",
        "english": ENGLISH,
        "code": CODE,
        "cjk": CJK,
        "arabic": ARABIC,
        "hindi": HINDI,
        "thai": THAI,
        "russian": RUSSIAN,
        "emoji": EMOJI,
        "rare-unicode": RARE,
        "specials-in-text": SPECIALS,
        "digits": "0 1 12 123 1234 12345 3.14159 1e-10 0x1F 1,000,000 ٣٤٥ ४५६ ２３４",
        "spaces-only": "     ",
        "one-space": " ",
        "leading-trailing": "   leading and trailing spaces   ",
        "newlines": "\n\n\n\nline\n\n\n\n\n\nanother\r\n\r\nwindows\r\n",
        "tabs": "\t\tindented\t\ttabs\t",
        "mixed-whitespace": " \t \n \t\n  \n\t\t  x  \t\n",
        "literal-metaspace": "▁ ▁▁ word▁word ▁▁▁▁",
        "html-tags": "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
        "angle-noise": "a<b>c</b>d<<<>>>< /b><b ></b>",
        "single-char-a": "a",
        "single-emoji": "🦜",
        "newline-40": "\n" * 40,
        "spaces-70": " " * 70,
        "tabs-35": "\t" * 35,
        "gt-space-lt": "<b>x</b> </b> > </ >▁</",
    }
    corpus.update(make_long_texts(rng))
    # Random short strings mixing every script, plus random code points.
    alphabet = "".join([ENGLISH, CODE, CJK, ARABIC, HINDI, THAI, RUSSIAN, EMOJI, RARE, " \n\t▁<>/"])
    for i in range(60):
        n = rng.randint(1, 120)
        corpus[f"random-mix/{i}"] = "".join(rng.choice(alphabet) for _ in range(n))
    for i in range(40):
        chars = []
        for _ in range(rng.randint(1, 40)):
            cp = rng.randint(0, 0x10FFFF)
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0x20
            chars.append(chr(cp))
        corpus[f"random-codepoints/{i}"] = "".join(chars)
    return corpus


# ---------------------------------------------------------------- decode cases
def byte_id(tok, b):
    return tok.token_to_id(f"<0x{b:02X}>")


def make_decode_cases(tok, encodes):
    rng = random.Random(99)
    vocab_size = tok.get_vocab_size(with_added_tokens=True)
    cases = {"empty": []}
    zh = tok.encode("中", add_special_tokens=False).ids
    cases["bytes/e4-b8-ad-complete"] = [byte_id(tok, 0xE4), byte_id(tok, 0xB8), byte_id(tok, 0xAD)]
    cases["bytes/e4-b8-truncated"] = [byte_id(tok, 0xE4), byte_id(tok, 0xB8)]
    cases["bytes/e4-then-text"] = [byte_id(tok, 0xE4), tok.token_to_id("hello")]
    cases["bytes/ff-invalid"] = [byte_id(tok, 0xFF)]
    cases["bytes/lone-continuation"] = [byte_id(tok, 0x80), byte_id(tok, 0xBF)]
    cases["bytes/valid-then-invalid"] = [byte_id(tok, 0xE4), byte_id(tok, 0xB8), byte_id(tok, 0xAD), byte_id(tok, 0xFF)]
    cases["bytes/overlong-c0"] = [byte_id(tok, 0xC0), byte_id(tok, 0x80)]
    cases["bytes/surrogate-ed-a0-80"] = [byte_id(tok, 0xED), byte_id(tok, 0xA0), byte_id(tok, 0x80)]
    cases["bytes/ascii-41"] = [byte_id(tok, 0x41)]
    cases["bytes/split-by-special"] = [byte_id(tok, 0xE4), 2, byte_id(tok, 0xB8), byte_id(tok, 0xAD)]
    cases["bytes/4-byte-emoji"] = [byte_id(tok, b) for b in "\U0010FFFD".encode()]
    cases["zh"] = zh
    cases["specials-only"] = [2, 0, 1, 106, 105, 255999, 262144, 256000, 3, 4]
    cases["metaspace-pieces"] = tok.encode("  hello   world ", add_special_tokens=False).ids
    # Prefixes of encodes that use byte fallback, cut mid-character.
    for name, ids in encodes.items():
        byte_positions = [i for i, t in enumerate(ids) if 3 <= t < 262144 and tok.id_to_token(t).startswith("<0x") and len(tok.id_to_token(t)) == 6]
        for k, pos in enumerate(byte_positions[:3]):
            cases[f"cut/{name}/{k}"] = ids[: pos + 1]
    for i in range(150):
        n = rng.randint(0, 30)
        ids = []
        for _ in range(n):
            r = rng.random()
            if r < 0.35:
                ids.append(byte_id(tok, rng.randint(0, 255)))
            elif r < 0.45:
                ids.append(rng.choice([0, 1, 2, 3, 4, 105, 106, 255999, 256000, 262144, 7, 8, 9, 10]))
            else:
                ids.append(rng.randint(0, vocab_size - 1))
        cases[f"random/{i}"] = ids
    out = []
    for name, ids in cases.items():
        out.append({
            "name": name,
            "ids": ids,
            "text": tok.decode(ids, skip_special_tokens=False),
            "textSkipSpecial": tok.decode(ids, skip_special_tokens=True),
        })
    # What the reference does with ids the vocabulary lacks (our API refuses them with a typed error).
    out_of_range = {}
    # 262159: one of the ids a Gemma 3 model scores but the tokenizer lacks; between byte pieces.
    e4, b8, ad = byte_id(tok, 0xE4), byte_id(tok, 0xB8), byte_id(tok, 0xAD)
    for ids in ([262145], [300000], [2, 262145, 9259], [9259, e4, 262159, b8, ad, 262207, 236743]):
        try:
            out_of_range[json.dumps(ids)] = {"text": tok.decode(ids)}
        except Exception as e:  # noqa: BLE001
            out_of_range[json.dumps(ids)] = {"error": f"{type(e).__name__}: {e}"}
    return out, out_of_range


# ---------------------------------------------------------------- chat template
def chat_cases():
    img = {"type": "image"}
    return {
        "single-user": {"messages": [{"role": "user", "content": "Hello!"}], "add_generation_prompt": True},
        "no-generation-prompt": {"messages": [{"role": "user", "content": "Hello!"}], "add_generation_prompt": False},
        "system-string": {
            "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}],
            "add_generation_prompt": True,
        },
        "system-list": {
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "  Be kind. "}]},
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            ],
            "add_generation_prompt": True,
        },
        "multi-turn": {
            "messages": [
                {"role": "user", "content": "What is 2+2?"},
                {"role": "assistant", "content": "4"},
                {"role": "user", "content": "  And 3+3?\n\n"},
            ],
            "add_generation_prompt": True,
        },
        "assistant-last": {
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": " Hello there. "}],
            "add_generation_prompt": False,
        },
        "images-and-text": {
            "messages": [
                {"role": "system", "content": "Describe images."},
                {"role": "user", "content": [img, {"type": "text", "text": " What is in this image? "}, img, {"type": "text", "text": "And this one?"}]},
            ],
            "add_generation_prompt": True,
        },
        "unicode-and-specials": {
            "messages": [{"role": "user", "content": "日本語 👨‍👩‍👧 <b>x</b>\t"}],
            "add_generation_prompt": True,
        },
        "empty-content": {"messages": [{"role": "user", "content": ""}], "add_generation_prompt": True},
        "roles-not-alternating": {
            "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
            "add_generation_prompt": True,
        },
        "starts-with-assistant": {
            "messages": [{"role": "assistant", "content": "a"}],
            "add_generation_prompt": True,
        },
        "system-then-assistant": {
            "messages": [{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}],
            "add_generation_prompt": False,
        },
    }


def continue_cases():
    """continue_final_message=True: the last message is left open (no <end_of_turn>) for the model to go on."""
    img = {"type": "image"}
    user = {"role": "user", "content": "Give me a JSON object."}
    return {
        "continue/assistant-string": {"messages": [user, {"role": "assistant", "content": "{"}]},
        "continue/trailing-space-trimmed": {"messages": [user, {"role": "assistant", "content": "Sure, here it is: "}]},
        "continue/leading-space": {"messages": [user, {"role": "assistant", "content": "  Well"}]},
        "continue/list-content": {
            "messages": [user, {"role": "assistant", "content": [{"type": "text", "text": "The answer is"}]}],
        },
        "continue/last-text-block": {
            "messages": [user, {"role": "assistant", "content": [{"type": "text", "text": "First."}, {"type": "text", "text": " Second"}]}],
        },
        "continue/system-image-multi-turn": {
            "messages": [
                {"role": "system", "content": "Answer in French."},
                {"role": "user", "content": [img, {"type": "text", "text": "What is this?"}]},
                {"role": "assistant", "content": "C'est"},
            ],
        },
        "continue/empty-assistant": {"messages": [user, {"role": "assistant", "content": ""}]},
        "continue/message-repeated-earlier": {
            "messages": [
                {"role": "user", "content": "ok"},
                {"role": "assistant", "content": "ok"},
                {"role": "user", "content": "again"},
                {"role": "assistant", "content": "ok"},
            ],
        },
        "continue/user-last": {"messages": [user]},
        "continue/no-text-to-continue": {"messages": [user, {"role": "assistant", "content": [img]}]},
        "continue/with-generation-prompt": {
            "messages": [user, {"role": "assistant", "content": "{"}],
            "add_generation_prompt": True,
        },
    }


# ---------------------------------------------------------------- small synthetic tokenizers
def synthetic_tokenizers():
    """Tiny tokenizer.json files exercising what Gemma 3 does not use: unk fusing without byte fallback,
    lstrip/rstrip/single_word/normalized added tokens, normalizer and Split pre-tokenizer variants."""
    chars = list("abcdefghijklmnopqrstuvwxyz▁.,!X")
    vocab = {"<unk>": 0, "<s>": 1}
    for c in chars:
        vocab.setdefault(c, len(vocab))
    merges = [("t", "h"), ("th", "e"), ("▁", "the"), ("▁", "a"), ("a", "n"), ("an", "d"), ("▁", "and"), ("o", "o"), ("l", "o"), ("e", "l"), ("h", "el"), ("hel", "lo"), ("▁", "hello"), ("a", "a"), ("aa", "a")]
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    added = [
        {"id": len(vocab), "content": "[X]", "single_word": False, "lstrip": True, "rstrip": True, "normalized": False, "special": True},
        {"id": len(vocab) + 1, "content": "word", "single_word": True, "lstrip": False, "rstrip": False, "normalized": False, "special": False},
        {"id": len(vocab) + 2, "content": "yo", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": False},
        {"id": len(vocab) + 3, "content": "<s>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
    ]
    def make(normalizer, pre_tokenizer):
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": normalizer, "pre_tokenizer": pre_tokenizer,
            "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
            "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "Fuse"}, ]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": [list(m) for m in merges]},
        }
    replace = {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}
    seq = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Prepend", "prepend": "▁"}, replace]}
    variants = {"replace-only": make(replace, None), "nfkc-lower-prepend": make(seq, None)}
    for behavior in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]:
        variants[f"split-{behavior}"] = make(replace, {"type": "Split", "pattern": {"String": "▁"}, "behavior": behavior, "invert": False})
    variants["split-sequence"] = make(seq, {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"String": "."}, "behavior": "Isolated", "invert": False},
        {"type": "Split", "pattern": {"String": "▁"}, "behavior": "MergedWithNext", "invert": False}]})
    variants["fuse-unk-off"] = make(replace, None)
    variants["fuse-unk-off"]["model"]["fuse_unk"] = False
    texts = [
        "", "the and hello", "  the  and   hello  ", "hello[X]the", "a [X] b", "word words sword word", "yo YO Yo yoyo",
        "Zürich ÀÉ ﬁ 12 3 ?? €€ the", "aaaaaaa", "the...and,, hello!!", "<s>the<s>", "\tthe\nand",
        "ＨＥＬＬＯ", "x[X]  [X]y", "wordword word.", "qqq zzz XX",
    ]
    out = []
    for name, spec in variants.items():
        tok = Tokenizer.from_str(json.dumps(spec))
        cases = []
        for text in texts:
            ids = tok.encode(text).ids
            cases.append({"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False), "decodedSkipSpecial": tok.decode(ids, skip_special_tokens=True)})
        out.append({"name": name, "tokenizer": spec, "cases": cases})
    return out


def malformed_byte_pieces():
    """Vocabulary entries that look like byte pieces but are not (<0xZZ>, <0x4>, <0x4142>, lowercase,
    <0x+F>): how the reference's ByteFallback decoder treats them, mixed with real byte pieces."""
    pieces = ["<0xE4>", "<0xB8>", "<0xAD>", "<0xZZ>", "<0x4>", "<0x4142>", "<0xe4>", "<0x+F>", "<0x41>", "<0xFF>", "a", "<0xC3>", "<0xa9>"]
    vocab = {"<unk>": 0}
    for p in pieces:
        vocab.setdefault(p, len(vocab))
    spec = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None, "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": True, "ignore_merges": False, "vocab": vocab, "merges": []},
    }
    tok = Tokenizer.from_str(json.dumps(spec))
    v = vocab
    lists = [
        [v["<0xE4>"], v["<0xB8>"], v["<0xAD>"]],
        [v["<0xZZ>"], v["<0x4>"], v["<0x4142>"]],
        [v["<0xE4>"], v["<0xZZ>"], v["<0xB8>"], v["<0xAD>"]],
        [v["<0xe4>"], v["<0xB8>"], v["<0xAD>"]],
        [v["<0x+F>"]],
        [v["<0x41>"], v["<0x+F>"], v["a"]],
        [v["<0xC3>"], v["<0xa9>"]],
        [v["<0xFF>"], v["a"], v["<0xC3>"]],
    ]
    return {"tokenizer": spec, "cases": [{"ids": ids, "text": tok.decode(ids, skip_special_tokens=False)} for ids in lists]}


def main():
    os.makedirs(OUT, exist_ok=True)
    write("synthetic.json", {"tokenizers": tokenizers.__version__, "variants": synthetic_tokenizers(), "malformedBytePieces": malformed_byte_pieces()})
    tok = Tokenizer.from_file(os.path.join(MODELS, "tokenizer.json"))
    corpus = make_corpus()
    encode_cases = []
    encodes = {}
    for name, text in corpus.items():
        with_special = tok.encode(text, add_special_tokens=True).ids
        without = tok.encode(text, add_special_tokens=False).ids
        encodes[name] = without
        encode_cases.append({
            "name": name,
            "text": text,
            "ids": with_special,
            "idsNoSpecial": without,
            "decoded": tok.decode(without, skip_special_tokens=False),
            "decodedSkipSpecial": tok.decode(with_special, skip_special_tokens=True),
        })
    decode_cases, out_of_range = make_decode_cases(tok, encodes)

    # transformers: chat template + special ids. Copy the two files into a folder it can load.
    with tempfile.TemporaryDirectory() as folder:
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(MODELS, f), folder)
        hf = transformers.AutoTokenizer.from_pretrained(folder)
        template_source = "tokenizer_config.json"
        if not getattr(hf, "chat_template", None):
            # Newer transformers read chat_template.jinja; fall back to writing it from the config.
            cfg = json.load(open(os.path.join(folder, "tokenizer_config.json")))
            with open(os.path.join(folder, "chat_template.jinja"), "w") as fh:
                fh.write(cfg["chat_template"])
            hf = transformers.AutoTokenizer.from_pretrained(folder)
            template_source = "chat_template.jinja (written from tokenizer_config.json)"
        chats = []
        for name, case in chat_cases().items():
            entry = {"name": name, "messages": case["messages"], "addGenerationPrompt": case["add_generation_prompt"]}
            try:
                text = hf.apply_chat_template(case["messages"], add_generation_prompt=case["add_generation_prompt"], tokenize=False)
                entry["text"] = text
                entry["ids"] = tok.encode(text, add_special_tokens=False).ids
                toks = hf.apply_chat_template(case["messages"], add_generation_prompt=case["add_generation_prompt"], tokenize=True)
                if hasattr(toks, "keys"):
                    toks = toks["input_ids"]
                entry["hfIds"] = list(toks)
            except Exception as e:  # noqa: BLE001  (TemplateError from raise_exception)
                entry["error"] = str(e)
            chats.append(entry)
        for name, case in continue_cases().items():
            add_generation_prompt = case.get("add_generation_prompt", False)
            entry = {"name": name, "messages": case["messages"], "addGenerationPrompt": add_generation_prompt, "continueFinalMessage": True}
            options = {"add_generation_prompt": add_generation_prompt, "continue_final_message": True}
            try:
                text = hf.apply_chat_template(case["messages"], tokenize=False, **options)
                entry["text"] = text
                entry["ids"] = tok.encode(text, add_special_tokens=False).ids
                toks = hf.apply_chat_template(case["messages"], tokenize=True, **options)
                if hasattr(toks, "keys"):
                    toks = toks["input_ids"]
                entry["hfIds"] = list(toks)
            except ValueError as e:  # incompatible options, nothing to continue
                entry["valueError"] = str(e)
            chats.append(entry)
        special = {
            "bos": hf.bos_token_id,
            "eos": hf.eos_token_id,
            "pad": hf.pad_token_id,
            "unk": hf.unk_token_id,
            "boi": hf.convert_tokens_to_ids("<start_of_image>"),
            "eoi": hf.convert_tokens_to_ids("<end_of_image>"),
            "image": hf.convert_tokens_to_ids("<image_soft_token>"),
            "endOfTurn": hf.convert_tokens_to_ids("<end_of_turn>"),
            "paddingSide": hf.padding_side,
        }

    meta = {
        "tokenizers": tokenizers.__version__,
        "transformers": transformers.__version__,
        "chatTemplateLoadedFrom": template_source,
        "vocabSizeWithAdded": tok.get_vocab_size(with_added_tokens=True),
    }
    write("encode.json", {"meta": meta, "cases": encode_cases})
    write("decode.json", {"meta": meta, "cases": decode_cases, "outOfRange": out_of_range})
    write("chat.json", {"meta": meta, "cases": chats, "special": special})


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

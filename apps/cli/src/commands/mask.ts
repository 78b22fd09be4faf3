import { writeFile } from 'node:fs/promises';
import { loadModelConfig, textConfigOf } from '@gemma3/config';
import { resolveModelFolder } from '@gemma3/pipeline';
import { imageReplacementText } from '@gemma3/processor';
import { Tokenizer } from '@gemma3/tokenizer';
import type { Command } from '../command.js';
import { CliFailure } from '../errors/cli-failure.js';
import { UsageError } from '../errors/usage-error.js';
import { requireString } from '../generate/generation-flags.js';
import { attentionMask, CAUSAL, IMAGE_BIDIRECTIONAL } from '../mask/attention-mask.js';
import { defaultCellSize, maskPng } from '../mask/mask-image.js';
import { ASCII_STYLE, renderGrid, tokenLabel, UNICODE_STYLE } from '../mask/render-grid.js';

/** Largest PNG side written (16384 px: ~800 MB of RGB would be far beyond that). */
const MAX_PNG_SIDE = 16384;

export const maskCommand: Command = {
  name: 'mask',
  summary: 'Show which tokens each token may attend to (causal, sliding window, image blocks)',
  help: `Usage: gemma3 mask --model M [options] "TEXT"

Tokenizes TEXT as the model's processor does (each <start_of_image> becomes the model's image block:
\\n\\n<start_of_image>, the image soft tokens, <end_of_image>\\n\\n) and prints the attention mask of a
sliding-window layer (or of a global layer with --layer full) as a grid: one row per query token,
one column per key.

  ■  visible (key at or before the query)
  ▣  visible only because query and key are tokens of the same image (images attend both ways)
  ⬚  masked (a future token, or q - k >= sliding window on sliding layers)

The sliding window is one-sided, as in the reference: a key is dropped when q - k >= window, so an
image token still sees later tokens of its own image.

Options:
  --model M            local folder or Hugging Face model id (only config.json and the tokenizer are read)
  --layer KIND         sliding | full (default sliding; full when the model has no sliding window)
  --sliding-window N   override the config's window (to see its effect on a short text)
  --image-tokens N     soft tokens per image (default: the config's mm_tokens_per_image)
  --png FILE           also write the mask as a PNG (blue visible, orange image-bidirectional, grey masked)
  --cell N             pixels per token in the PNG (default: about 1200 px in all)
  --ascii              # + . instead of ■ ▣ ⬚
  --verbose            stack traces on errors
  -h, --help           show this help

Exit codes: 0 printed, 1 failed (model files), 2 bad command line.

Example:
  gemma3 mask --model .cache/models/tiny-vlm --sliding-window 8 "<start_of_image>What is shown?"
`,
  options: {
    model: { type: 'string' },
    layer: { type: 'string' },
    'sliding-window': { type: 'string' },
    'image-tokens': { type: 'string' },
    png: { type: 'string' },
    cell: { type: 'string' },
    ascii: { type: 'boolean' },
  },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    const model = requireString(values, 'model', 'mask');
    if (positionals.length !== 1) {
      throw new UsageError(`expected one TEXT argument (quote it), got ${positionals.length}`, 'mask');
    }
    const text = positionals[0]!;
    const layer = values.layer ?? 'sliding';
    if (layer !== 'sliding' && layer !== 'full') {
      throw new UsageError(`--layer must be sliding or full, got "${String(layer)}"`, 'mask');
    }
    const windowOverride = positiveInt(values['sliding-window'], '--sliding-window');
    const imageTokensOverride = positiveInt(values['image-tokens'], '--image-tokens');
    const cellOverride = positiveInt(values.cell, '--cell');
    if (cellOverride !== undefined && cellOverride > 64)
      throw new UsageError('--cell must be at most 64', 'mask');

    const dir = await resolveModelFolder(model, { progress: io.stderr.isTTY === true });
    const config = await loadModelConfig(dir);
    const tokenizer = await Tokenizer.fromPretrained(dir);
    const textConfig = textConfigOf(config);
    const window = windowOverride ?? textConfig.sliding_window;
    const slidingWindow = layer === 'full' || window === null ? null : window;
    const imageTokens =
      imageTokensOverride ?? ('mm_tokens_per_image' in config ? config.mm_tokens_per_image : 0);

    const ids = tokenizer.specialTokenIds;
    let prompt = text;
    if (ids.boi !== null && ids.eoi !== null && ids.image !== null && imageTokens > 0) {
      const strings = {
        boi: tokenizer.idToToken(ids.boi),
        eoi: tokenizer.idToToken(ids.eoi),
        image: tokenizer.idToToken(ids.image),
      };
      prompt = text.split(strings.boi).join(imageReplacementText(strings, imageTokens, 0));
    }
    const tokenIds = tokenizer.encode(prompt);
    const isImage = tokenIds.map((id) => id === ids.image);
    const mask = attentionMask(isImage, { slidingWindow });
    const t = tokenIds.length;
    const images = isImage.filter((x, i) => x && !isImage[i - 1]).length;
    io.stdout.write(
      `${t} tokens, ${images} image${images === 1 ? '' : 's'} of ${imageTokens} tokens; ` +
        `${slidingWindow === null ? 'global (full) attention layer' : `sliding-window layer, window ${slidingWindow}`}\n`,
    );
    const style = values.ascii === true ? ASCII_STYLE : UNICODE_STYLE;
    io.stdout.write(
      renderGrid(
        mask,
        tokenIds.map((id, i) => tokenLabel(tokenizer.idToToken(id), isImage[i]!)),
        style,
      ),
    );
    io.stdout.write(
      `${style.causal} visible  ${style.image} visible within its image  ${style.masked} masked` +
        ` (${count(mask, CAUSAL) + count(mask, IMAGE_BIDIRECTIONAL)} of ${t * t} visible)\n`,
    );
    if (t > 150) io.stderr.write(`(${t} columns: widen the terminal, or use --png FILE)\n`);
    if (typeof values.png === 'string') {
      const cell = cellOverride ?? defaultCellSize(t);
      if (t * cell > MAX_PNG_SIDE) {
        throw new CliFailure(
          `a ${t}-token mask at ${cell} px per token is ${t * cell} px wide, over the PNG limit of ${MAX_PNG_SIDE} px (lower --cell)`,
        );
      }
      await writeFile(values.png, maskPng(mask, t, cell));
      io.stdout.write(`Wrote ${values.png} (${t * cell}x${t * cell} pixels)\n`);
    }
    return 0;
  },
};

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000) {
    throw new UsageError(`${flag} must be a positive integer, got "${String(value)}"`, 'mask');
  }
  return Number(value);
}

function count(mask: Uint8Array, value: number): number {
  let n = 0;
  for (const v of mask) if (v === value) n++;
  return n;
}

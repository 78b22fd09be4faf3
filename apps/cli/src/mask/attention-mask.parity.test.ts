import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { attentionMask, MASKED } from './attention-mask.js';

// Masks made by transformers' create_masks_for_vision_model (apps/cli/tools/make_mask_fixture.py):
// exact 0/1 agreement is required (a mask has no tolerance).
interface MaskCase {
  name: string;
  token_types: number[];
  sliding_window: number;
  sliding_attention: string[];
  full_attention: string[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/attention-masks.json', import.meta.url), 'utf8'),
) as { cases: MaskCase[] };

function rows(mask: Uint8Array, t: number): string[] {
  return Array.from({ length: t }, (_, q) =>
    Array.from({ length: t }, (_, k) => (mask[q * t + k] === MASKED ? '0' : '1')).join(''),
  );
}

describe('attention masks equal the reference (transformers 5.18)', () => {
  test.each(fixture.cases)('$name', (c) => {
    const isImage = c.token_types.map((x) => x === 1);
    const t = isImage.length;
    expect(rows(attentionMask(isImage, { slidingWindow: c.sliding_window }), t)).toEqual(c.sliding_attention);
    expect(rows(attentionMask(isImage, { slidingWindow: null }), t)).toEqual(c.full_attention);
  });
});

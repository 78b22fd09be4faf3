// The repository's tiny Hugging Face checkpoints (fixtures/checkpoints, written by torch + safetensors
// through tools/reference/models): three name layouts read through one normalized view.
import { describe, expect, test } from 'vitest';
import { gemma3Weights } from './gemma3-weights.js';
import { openCheckpoint } from './open-checkpoint.js';

const checkpoint = (name: string) =>
  new URL(`../../../fixtures/checkpoints/${name}`, import.meta.url).pathname;

describe('repository checkpoints', () => {
  test('tiny-text is the text-only layout with a tied head', async () => {
    const ckpt = await openCheckpoint(checkpoint('tiny-text'));
    const weights = gemma3Weights(ckpt);
    expect(weights.layout).toBe('text-only');
    expect(weights.hasVision).toBe(false);
    expect(weights.unmappedNames()).toEqual([]);
    const head = weights.lmHead();
    expect(head.tied).toBe(true);
    expect(head.name).toBe('model.embed_tokens.weight');
    expect((await head.info()).dtype).toBe('BF16');
    expect(weights.textNames()).toContain('layers.0.self_attn.q_proj.weight');
    await ckpt.close();
  });

  test('tiny-vlm (released names) and tiny-vlm-current (4.5x names) hold the same tensors under the same relative names', async () => {
    const released = await openCheckpoint(checkpoint('tiny-vlm'));
    const current = await openCheckpoint(checkpoint('tiny-vlm-current'));
    const a = gemma3Weights(released);
    const b = gemma3Weights(current);
    expect([a.layout, b.layout]).toEqual(['released-multimodal', 'current-multimodal']);
    expect(a.unmappedNames()).toEqual([]);
    expect(b.unmappedNames()).toEqual([]);
    expect(a.textNames().sort()).toEqual(b.textNames().sort());
    expect(a.visionNames().sort()).toEqual(b.visionNames().sort());
    expect(a.projectorNames().sort()).toEqual(['mm_input_projection_weight', 'mm_soft_emb_norm.weight']);
    expect(a.visionNames()).toContain('embeddings.patch_embedding.weight');
    const pairs = [
      ...a.textNames().map((n) => [a.text(n), b.text(n)] as const),
      ...a.visionNames().map((n) => [a.vision(n), b.vision(n)] as const),
      ...a.projectorNames().map((n) => [a.projector(n), b.projector(n)] as const),
    ];
    for (const [x, y] of pairs) {
      const [rx, ry] = await Promise.all([x.read(), y.read()]);
      expect({ name: y.name, dtype: ry.dtype, shape: ry.shape }).toEqual({
        name: y.name,
        dtype: rx.dtype,
        shape: rx.shape,
      });
      expect(Buffer.from(ry.bytes).equals(Buffer.from(rx.bytes))).toBe(true);
    }
    expect(a.lmHead().tied && b.lmHead().tied).toBe(true);
    await released.close();
    await current.close();
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSafetensors, type SafetensorsFile } from '@gemma3/weights';

/** Repository root (fixtures live there). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const TINY_VLM = join(REPO_ROOT, 'fixtures/checkpoints/tiny-vlm');
export const TINY_VLM_CURRENT = join(REPO_ROOT, 'fixtures/checkpoints/tiny-vlm-current');

export interface ForwardCase {
  name: string;
  kind: 'forward';
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  token_type_ids: number[][];
  num_images: number;
  num_crops?: number[];
  tensors: { pixel_values: string; vision_last_hidden_state: string; image_features: string; logits: string };
  greedy: { max_new_tokens: number; sequences: number[][]; eos_token_id: number[]; pad_token_id: number };
}

export interface NegativeControlCase {
  name: string;
  kind: 'negative_control';
  same_inputs_as: string;
  tensors: { logits: string };
  max_abs_logits_diff_vs_bidirectional: number;
}

export interface VlmManifest {
  tolerance: {
    logits_max_abs: number;
    image_features_max_abs: number;
    vision_last_hidden_state_max_abs: number;
  };
  cases: (ForwardCase | NegativeControlCase)[];
}

export function loadManifest(): VlmManifest {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'fixtures/golden/tiny-vlm/manifest.json'), 'utf8'),
  ) as VlmManifest;
}

export function forwardCases(manifest: VlmManifest): ForwardCase[] {
  return manifest.cases.filter((c): c is ForwardCase => c.kind === 'forward');
}

export async function openGolden(): Promise<SafetensorsFile> {
  return openSafetensors(join(REPO_ROOT, 'fixtures/golden/tiny-vlm/golden.safetensors'));
}

/** A fresh model cache folder per test file, so tests never touch the user's cache. */
export function tempCacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'gemma3-mm-test-'));
}

/** A case's processed pixels from the golden file, as the vision encoder takes them. */
export async function pixelValuesOf(
  golden: SafetensorsFile,
  c: ForwardCase,
): Promise<{ data: Float32Array; dims: number[] }> {
  return {
    data: await golden.readFloat32(c.tensors.pixel_values),
    dims: [...golden.info(c.tensors.pixel_values).shape],
  };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Max abs difference over positions whose attention mask is 1 ([B, T, V] row-major). */
export function maxAbsDiffMasked(
  a: Float32Array,
  b: Float32Array,
  mask: readonly (readonly number[])[],
  width: number,
): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  const t = mask[0]!.length;
  let max = 0;
  mask.forEach((row, r) => {
    row.forEach((m, k) => {
      if (m !== 1) return;
      const base = (r * t + k) * width;
      for (let i = 0; i < width; i++) max = Math.max(max, Math.abs(a[base + i]! - b[base + i]!));
    });
  });
  return max;
}

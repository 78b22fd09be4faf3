import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSafetensors } from '@gemma3/weights';

/** The repository root (fixtures/ and tools/ are below it). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** One case of a golden manifest (tools/reference/models/make_fixtures.py). */
export interface GoldenCase {
  name: string;
  kind: string;
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  tensors: Record<string, string>;
  greedy?: { max_new_tokens: number; eos_token_id: number[]; pad_token_id: number; sequences: number[][] };
  prefill?: { input_ids: number[][]; attention_mask: number[][]; position_ids: number[][] };
  steps?: { input_ids: number[][]; attention_mask: number[][]; position_ids: number[][] }[];
  full_sequence_input_ids?: number[][];
  same_inputs_as?: string;
}

export interface GoldenManifest {
  name: string;
  checkpoint: string;
  tensors_file: string;
  tolerance: { logits_max_abs: number; last_hidden_state_max_abs?: number; image_features_max_abs?: number };
  cases: GoldenCase[];
}

/** fixtures/golden/NAME/manifest.json (made by tools/reference/models/make_fixtures.py). */
export function loadManifest(name: string): GoldenManifest {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'fixtures/golden', name, 'manifest.json'), 'utf8'),
  ) as GoldenManifest;
}

/** The checkpoint folder a manifest was made from (fixtures/checkpoints/NAME). */
export function checkpointDir(manifest: GoldenManifest): string {
  return join(REPO_ROOT, manifest.checkpoint);
}

/** One float32 tensor of the manifest's golden.safetensors. */
export async function readGolden(
  manifest: GoldenManifest,
  tensor: string,
): Promise<{ data: Float32Array; shape: readonly number[] }> {
  const file = await openSafetensors(join(REPO_ROOT, manifest.tensors_file));
  try {
    return { data: await file.readFloat32(tensor), shape: file.info(tensor).shape };
  } finally {
    await file.close();
  }
}

/** Largest |a - b| over [B, T, W] rows where mask[b][t] == 1 (padding positions mean nothing). */
export function maxAbsDiffMasked(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  mask: readonly (readonly number[])[],
  width: number,
): number {
  let worst = 0;
  const t = mask[0]!.length;
  mask.forEach((row, i) => {
    row.forEach((m, j) => {
      if (!m) return;
      const base = (i * t + j) * width;
      for (let k = 0; k < width; k++) worst = Math.max(worst, Math.abs(a[base + k]! - b[base + k]!));
    });
  });
  return worst;
}

/** Largest |a - b| of two arrays; Infinity when their lengths differ (so a tolerance check fails). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.min(a.length, b.length); i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

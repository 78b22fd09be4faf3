import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSafetensors } from '@gemma3/weights';
import { expect } from 'vitest';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface GoldenCase {
  name: string;
  kind: 'forward' | 'cached_decode';
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  tensors: Record<string, string>;
  greedy?: { max_new_tokens: number; eos_token_id: number[]; pad_token_id: number; sequences: number[][] };
  prefill?: { input_ids: number[][]; attention_mask: number[][]; position_ids: number[][] };
  steps?: { input_ids: number[][]; attention_mask: number[][]; position_ids: number[][] }[];
  full_sequence_input_ids?: number[][];
}

export interface GoldenManifest {
  name: string;
  checkpoint: string;
  tensors_file: string;
  tolerance: { logits_max_abs: number; last_hidden_state_max_abs: number };
  cases: GoldenCase[];
}

export function loadManifest(name: string): GoldenManifest {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'fixtures/golden', name, 'manifest.json'), 'utf8'),
  ) as GoldenManifest;
}

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

/**
 * Largest |a - b| over [B, T, W] rows where mask[b][t] == 1 (padding positions mean nothing).
 * `a` and `b` are both [B, T, W].
 */
export function maxAbsDiffMasked(a: Float32Array, b: Float32Array, mask: number[][], width: number): number {
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

/** Largest absolute difference of two equally long arrays (their lengths are asserted equal). */
export function maxAbs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

import { loadManifest as loadShared, type GoldenManifest as SharedManifest } from '@gemma3/test-utils';
import { expect } from 'vitest';

// The golden-fixture readers are shared by the model tests (@gemma3/test-utils).
export { type GoldenCase, maxAbsDiffMasked, REPO_ROOT, readGolden } from '@gemma3/test-utils';

/** The text models' manifests also state a tolerance for the final hidden states. */
export interface GoldenManifest extends SharedManifest {
  tolerance: SharedManifest['tolerance'] & { last_hidden_state_max_abs: number };
}

export function loadManifest(name: string): GoldenManifest {
  return loadShared(name) as GoldenManifest;
}

/** Largest absolute difference of two equally long arrays (their lengths are asserted equal). */
export function maxAbs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

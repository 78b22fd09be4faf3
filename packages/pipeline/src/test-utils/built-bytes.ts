import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AutoModel, type AutoModelOptions } from '../auto-model.js';

const CHECKPOINTS = resolve(import.meta.dirname, '../../../../fixtures/checkpoints');

/** One build of a fixture checkpoint, as the pipeline builds it for these options. */
export interface BuildCase {
  name: string;
  checkpoint: 'tiny-text' | 'tiny-vlm';
  options: AutoModelOptions;
}

/**
 * Builds that together reach every quantized layout: the default q8 (MatMulInteger linears, q8 block
 * table, row-wise LM head, int8 vision tower), q4 with its int8 prefill graph (table stored once and
 * fed), 4-bit asymmetric blocks of 128 (padding, packed and gather zero points), 8-bit asymmetric
 * MatMulNBits blocks, a MatMulNBits vision tower read through derived (stacked) weights, and fp32.
 */
export const BUILD_CASES: readonly BuildCase[] = [
  { name: 'vlm-q8-default', checkpoint: 'tiny-vlm', options: { dtype: 'q8' } },
  {
    name: 'vlm-q4-prefill-int8',
    checkpoint: 'tiny-vlm',
    // pinned before q4's embedding / LM head moved to 8 bits: the 4-bit ones, named
    options: { dtype: 'q4', modules: { embedding: 'q4', lmHead: 'q4' } },
  },
  {
    name: 'text-q4-b128-asym',
    checkpoint: 'tiny-text',
    // prefill 'same': with a fed table, the tiny table's gather zero points (512 bytes) stay inline,
    // where the runtime's readFeedsFromData does not look (a 4b's are external)
    // (and the 4-bit embedding / LM head of the linears' blocks, pinned before q4's default moved to 8 bits)
    options: {
      dtype: 'q4',
      quantization: { blockSize: 128, symmetric: false },
      modules: {
        embedding: { blockSize: 128, symmetric: false },
        lmHead: { blockSize: 128, symmetric: false },
      },
      prefill: 'same',
    },
  },
  {
    name: 'text-q8-nbits-b64-asym',
    checkpoint: 'tiny-text',
    options: {
      dtype: 'q8',
      linearKernel: 'MatMulNBits',
      quantization: { blockSize: 64, symmetric: false },
      prefill: 'same',
    },
  },
  {
    name: 'vlm-q8-nbits-vision',
    checkpoint: 'tiny-vlm',
    options: { dtype: 'q8', modules: { visionTower: 'q4', projector: 'q8' } },
  },
  { name: 'text-fp32', checkpoint: 'tiny-text', options: { dtype: 'fp32' } },
];

/**
 * sha256 of every external data file a case writes, keyed by the graph and weights the model's index
 * names (cache folder names hold file times, so they differ between runs), plus the index's tensor
 * table (names, offsets, lengths, types, dims) as JSON.
 */
export async function builtBytes(build: BuildCase, cacheDir: string): Promise<Record<string, string>> {
  const model = await AutoModel.fromFolder(join(CHECKPOINTS, build.checkpoint), {
    ...build.options,
    cacheDir,
    progress: false,
  });
  await model.dispose();
  const hashes: Record<string, string> = {};
  for (const entry of await readdir(cacheDir, { recursive: true, withFileTypes: true })) {
    if (!entry.name.endsWith('.onnx.index.json')) continue;
    const indexPath = join(entry.parentPath, entry.name);
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as {
      metadata: Record<string, string>;
      tensors: Record<string, unknown>;
    };
    const key = `${index.metadata.graph}|${index.metadata.weights}`;
    const data = await readFile(indexPath.replace(/\.index\.json$/, '.data')).catch(() => new Uint8Array());
    hashes[`${key}|data`] = createHash('sha256').update(data).digest('hex');
    hashes[`${key}|tensors`] = createHash('sha256').update(JSON.stringify(index.tensors)).digest('hex');
  }
  return hashes;
}

import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GraphBuildError } from '../errors/graph-build-error.js';
import type { ElementType } from './data-type.js';
import type { ExternalDataIndex } from './save-model.js';

/** The index `saveModel` wrote beside `modelPath`. */
export async function readExternalIndex(modelPath: string): Promise<ExternalDataIndex> {
  const file = `${modelPath}.index.json`;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ExternalDataIndex;
  } catch (cause) {
    throw new GraphBuildError({ graph: modelPath, reason: `cannot read ${file}: ${String(cause)}` });
  }
}

export interface ExternalTensor {
  type: ElementType;
  dims: number[];
  /** The tensor's bytes, read from the data file (one read, no other copy). */
  bytes: Uint8Array;
}

/** Reads one external tensor of a saved model by name. */
export async function readExternalTensor(
  modelPath: string,
  index: ExternalDataIndex,
  name: string,
): Promise<ExternalTensor> {
  const entry = index.tensors[name];
  if (entry === undefined) {
    throw new GraphBuildError({ graph: modelPath, reason: `no external tensor "${name}" in its index` });
  }
  const bytes = new Uint8Array(entry.length);
  const handle = await open(join(dirname(modelPath), entry.location), 'r');
  try {
    let done = 0;
    while (done < entry.length) {
      const { bytesRead } = await handle.read(bytes, done, entry.length - done, entry.offset + done);
      if (bytesRead === 0) {
        throw new GraphBuildError({
          graph: modelPath,
          reason: `external tensor "${name}" ends past the end of ${entry.location}`,
        });
      }
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { type: entry.type, dims: entry.dims, bytes };
}

/**
 * Metadata key of a model whose graph inputs are fed from tensors stored in its own data file:
 * JSON `{ [inputName]: { tensor, dims } }` (e.g. one embedding table fed to two sessions).
 */
export const FEEDS_FROM_DATA_KEY = 'gemma3.feeds_from_data';

/** The inputs named under FEEDS_FROM_DATA_KEY, read from the data file with the dims given there. */
export async function readFeedsFromData(modelPath: string): Promise<Record<string, ExternalTensor>> {
  const index = await readExternalIndex(modelPath);
  const raw = index.metadata[FEEDS_FROM_DATA_KEY];
  if (raw === undefined) return {};
  const feeds = JSON.parse(raw) as Record<string, { tensor: string; dims: number[] }>;
  const out: Record<string, ExternalTensor> = {};
  for (const [input, { tensor, dims }] of Object.entries(feeds)) {
    const t = await readExternalTensor(modelPath, index, tensor);
    out[input] = { ...t, dims };
  }
  return out;
}

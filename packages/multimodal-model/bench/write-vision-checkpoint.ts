import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fillNormalBf16,
  normalBf16Table,
  presetFiles,
  type RandomCheckpointPreset,
  randomCheckpointTensors,
  tensorKeys,
} from '@gemma3/random-checkpoint';
import { createSafetensorsWriter } from '@gemma3/weights';

const CHUNK = 1 << 22; // elements per write

/**
 * Writes `dir/config.json` of a random-checkpoint preset and a `model.safetensors` holding only its
 * vision tower and projector tensors, with the same seeded bf16 values `gemma3 create-random` writes
 * for them (same names, same seed): the vision part of that checkpoint without its multi-GB decoder.
 */
export async function writeVisionCheckpoint(
  dir: string,
  preset: RandomCheckpointPreset,
  seed = 0,
  /** Keep only the first `layers` encoder layers (a cut of the same shape, for quick comparisons). */
  layers?: number,
): Promise<number> {
  const config = presetFiles(preset).config as { vision_config: { num_hidden_layers: number } };
  if (layers !== undefined) config.vision_config.num_hidden_layers = layers;
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const kept = (name: string) => {
    const layer = /encoder\.layers\.(\d+)\./.exec(name)?.[1];
    return layer === undefined || layers === undefined || Number(layer) < layers;
  };
  const specs = randomCheckpointTensors(preset).filter(
    (t) => (t.name.includes('vision_tower.') || t.name.includes('multi_modal_projector.')) && kept(t.name),
  );
  const writer = await createSafetensorsWriter(
    join(dir, 'model.safetensors'),
    specs.map((s) => ({ name: s.name, dtype: 'BF16' as const, shape: s.shape })),
  );
  const buffer = new Uint16Array(CHUNK);
  let bytes = 0;
  try {
    for (const spec of specs) {
      const table = normalBf16Table(spec.mean, spec.std);
      const keys = tensorKeys(seed, spec.name);
      const elements = spec.shape.reduce((a, b) => a * b, 1);
      for (let start = 0; start < elements; start += CHUNK) {
        const chunk = buffer.subarray(0, Math.min(CHUNK, elements - start));
        fillNormalBf16(chunk, table, keys, start);
        await writer.write(spec.name, chunk);
        bytes += chunk.byteLength;
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return bytes;
}

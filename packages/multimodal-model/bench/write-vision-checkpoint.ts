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
): Promise<number> {
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(presetFiles(preset).config, null, 2)}\n`);
  const specs = randomCheckpointTensors(preset).filter(
    (t) => t.name.includes('vision_tower.') || t.name.includes('multi_modal_projector.'),
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

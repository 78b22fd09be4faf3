import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tensorByteLength } from '../dtypes.js';
import { INDEX_FILE_NAME } from '../open-checkpoint.js';
import { type TensorToWrite, writeSafetensors } from '../write-safetensors.js';

/** Writes each shard and an index mapping every tensor to its shard (or `weightMap` when given). */
export async function writeShardedCheckpoint(
  folder: string,
  shards: Record<string, TensorToWrite[]>,
  weightMap?: Record<string, string>,
): Promise<void> {
  const map: Record<string, string> = {};
  let totalSize = 0;
  for (const [shardName, tensors] of Object.entries(shards)) {
    await writeSafetensors(join(folder, shardName), tensors, { metadata: { format: 'pt' } });
    for (const t of tensors) {
      map[t.name] = shardName;
      totalSize += Number(tensorByteLength(t.dtype, t.shape));
    }
  }
  const index = { metadata: { total_size: totalSize }, weight_map: weightMap ?? map };
  await writeFile(join(folder, INDEX_FILE_NAME), JSON.stringify(index, null, 2));
}

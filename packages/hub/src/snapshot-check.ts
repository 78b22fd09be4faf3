import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFile, isNotFound } from './cache-layout.js';

/**
 * The files a cached snapshot lacks, without asking the hub (which is what lets a second call make
 * no network request).
 *
 * With an explicit list: the listed files that are missing. Otherwise a snapshot counts as complete
 * when it has config.json, a tokenizer (tokenizer.json or tokenizer.model) and its weights: every shard
 * model.safetensors.index.json names, or model.safetensors when there is no index. `refresh: true`
 * in resolveModel checks the hub anyway.
 */
export async function missingSnapshotFiles(
  snapshotDir: string,
  explicitFiles: readonly string[] | undefined,
): Promise<string[]> {
  const has = (file: string) => isFile(join(snapshotDir, ...file.split('/')));
  if (explicitFiles !== undefined) {
    const missing: string[] = [];
    for (const file of explicitFiles) if (!(await has(file))) missing.push(file);
    return missing;
  }
  const missing: string[] = [];
  if (!(await has('config.json'))) missing.push('config.json');
  if (!(await has('tokenizer.json')) && !(await has('tokenizer.model'))) missing.push('tokenizer.json');
  const shards = await indexedShards(join(snapshotDir, 'model.safetensors.index.json'));
  for (const shard of shards ?? ['model.safetensors']) if (!(await has(shard))) missing.push(shard);
  return missing;
}

/** Shard names from a safetensors index, or undefined when there is no (readable) index. */
async function indexedShards(indexPath: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    const weightMap = (JSON.parse(text) as { weight_map?: Record<string, unknown> }).weight_map;
    if (weightMap === null || typeof weightMap !== 'object') return undefined;
    return [...new Set(Object.values(weightMap).filter((v): v is string => typeof v === 'string'))];
  } catch {
    // A corrupt index is reported by whoever loads the weights; here it is treated as absent.
    return undefined;
  }
}

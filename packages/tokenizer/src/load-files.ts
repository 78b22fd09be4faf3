import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenizerFileError } from './errors/tokenizer-file-error.js';
import { scanTokenizerJson } from './scan-tokenizer-json.js';
import type { ResolvedMerges, VocabTable } from './vocab-table.js';

export interface TokenizerFiles {
  tokenizerJsonPath: string;
  /** The parsed file; with `prebuilt`, its model.vocab and model.merges are empty placeholders. */
  tokenizerJson: unknown;
  /** Vocabulary and merges read straight from the file's bytes (see scan-tokenizer-json.ts), or null. */
  prebuilt: { vocab: VocabTable; merges: ResolvedMerges } | null;
  /** tokenizer_config.json beside tokenizer.json, when there is one. */
  configPath: string | null;
  config: Record<string, unknown> | null;
}

/** Reads `dir/tokenizer.json` (or the given tokenizer.json path) and the tokenizer_config.json beside it. */
export async function loadTokenizerFiles(dirOrTokenizerJson: string): Promise<TokenizerFiles> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dirOrTokenizerJson);
  } catch (cause) {
    throw new TokenizerFileError({
      file: dirOrTokenizerJson,
      field: '',
      reason: 'no such file or folder',
      cause,
    });
  }
  const tokenizerJsonPath = info.isDirectory()
    ? join(dirOrTokenizerJson, 'tokenizer.json')
    : dirOrTokenizerJson;
  const bytes = await readBytes(tokenizerJsonPath);
  // Fast path: vocabulary and merges straight from the bytes, JSON.parse for the (small) rest. Any layout
  // it does not expect (or any error in those sections) falls back to JSON.parse of the whole file,
  // which reports problems with the file and field.
  const scanned = scanTokenizerJson(bytes);
  const tokenizerJson = scanned ? scanned.rest : parseJson(bytes, tokenizerJsonPath);
  const prebuilt = scanned ? { vocab: scanned.vocab, merges: scanned.merges } : null;

  const configPath = join(dirname(tokenizerJsonPath), 'tokenizer_config.json');
  let config: Record<string, unknown> | null = null;
  if (basename(tokenizerJsonPath) !== 'tokenizer_config.json' && (await exists(configPath))) {
    const parsed = parseJson(await readBytes(configPath), configPath);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TokenizerFileError({ file: configPath, field: '', reason: 'expected a JSON object' });
    }
    config = parsed as Record<string, unknown>;
  }
  return { tokenizerJsonPath, tokenizerJson, prebuilt, configPath: config ? configPath : null, config };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new TokenizerFileError({ file: path, field: '', reason: 'cannot be read', cause });
  }
}

function parseJson(bytes: Buffer, path: string): unknown {
  try {
    // Buffer then toString: several times faster than readFile(path, 'utf8') on a 33 MB file.
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new TokenizerFileError({
      file: path,
      field: '',
      reason: `not valid JSON (${(cause as Error).message})`,
      cause,
    });
  }
}

import { isSafetensorsDtype, type SafetensorsDtype, tensorByteLength } from './dtypes.js';
import { SafetensorsDtypeError } from './errors/safetensors-dtype-error.js';
import { SafetensorsDuplicateTensorError } from './errors/safetensors-duplicate-tensor-error.js';
import { SafetensorsHeaderJsonError } from './errors/safetensors-header-json-error.js';
import { SafetensorsMetadataError } from './errors/safetensors-metadata-error.js';
import { SafetensorsOffsetsError } from './errors/safetensors-offsets-error.js';
import { SafetensorsShapeError } from './errors/safetensors-shape-error.js';
import { SafetensorsTruncatedError } from './errors/safetensors-truncated-error.js';
import { findDuplicateKey } from './find-duplicate-key.js';
import type { TensorInfo } from './tensor-info.js';

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** In file order (sorted by offset). */
  tensors: Map<string, TensorInfo>;
}

const EXCERPT_CHARS = 40;

function excerptAround(text: string, position: number): string {
  const start = Math.max(0, position - EXCERPT_CHARS / 2);
  return text.slice(start, start + EXCERPT_CHARS);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(file: string, headerBytes: Uint8Array, keyOrder: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsHeaderJsonError(file, 'header is not valid UTF-8', '');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The engine's message may quote the text: keep only the position, and a short excerpt of our own.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    const at = position === undefined ? 0 : Number(position);
    const where = position === undefined ? '' : ` at character ${at}`;
    throw new SafetensorsHeaderJsonError(file, `header is not valid JSON${where}`, excerptAround(text, at));
  }
  if (!isPlainObject(parsed)) {
    throw new SafetensorsHeaderJsonError(file, 'header must be a JSON object', text.slice(0, EXCERPT_CHARS));
  }
  const duplicate = findDuplicateKey(text, keyOrder);
  if (duplicate !== undefined) {
    if (duplicate.depth === 1 && duplicate.key !== '__metadata__') {
      throw new SafetensorsDuplicateTensorError(file, duplicate.key);
    }
    throw new SafetensorsHeaderJsonError(
      file,
      `key ${JSON.stringify(duplicate.key).slice(0, 100)} appears twice in the same object`,
      '',
      duplicate.depth === 2 && duplicate.parentKey !== '__metadata__' ? duplicate.parentKey : undefined,
    );
  }
  return parsed;
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new SafetensorsMetadataError(file, undefined);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new SafetensorsMetadataError(file, key);
  }
  return value as Record<string, string>;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(file: string, name: string, value: unknown): Entry {
  if (!isPlainObject(value)) {
    throw new SafetensorsHeaderJsonError(file, 'tensor entry must be an object', '', name);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDtype(dtype)) throw new SafetensorsDtypeError(file, name, String(dtype), 'unknown');
  if (!Array.isArray(shape)) throw new SafetensorsShapeError(file, name, 'shape must be a list');
  for (const [axis, dim] of shape.entries()) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new SafetensorsShapeError(
        file,
        name,
        `dimension ${axis} is ${JSON.stringify(dim)?.slice(0, 40)}, not a non-negative safe integer`,
      );
    }
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] < offsets[0]
  ) {
    throw new SafetensorsOffsetsError(
      file,
      name,
      'malformed',
      `expected [begin, end] with 0 <= begin <= end safe integers, got ${JSON.stringify(offsets)?.slice(0, 80)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const expected = tensorByteLength(dtype, shape);
  if (expected !== BigInt(end - begin)) {
    throw new SafetensorsOffsetsError(
      file,
      name,
      'byte-span',
      `span [${begin}, ${end}) holds ${end - begin} bytes, shape [${shape.join(', ')}] of ${dtype} takes ${expected}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/**
 * Validates a safetensors header as the format requires and returns its tensors: every tensor
 * starts where the previous one ended (the first at 0), the last ends at the data size, and each
 * span equals product(shape) x dtype size (computed with BigInt, so no product can overflow).
 */
export function parseHeader(
  file: string,
  headerBytes: Uint8Array,
  dataStart: number,
  dataSize: number,
): ParsedHeader {
  const keyOrder: string[] = [];
  const json = decodeJson(file, headerBytes, keyOrder);
  const metadata = parseMetadata(file, json.__metadata__);
  const entries: Entry[] = [];
  for (const name of keyOrder) {
    if (name !== '__metadata__') entries.push(parseEntry(file, name, json[name]));
  }
  // File order: by offset; zero-size tensors sharing an offset keep their order in the header text.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: Entry | undefined;
  for (const entry of entries) {
    const expectedBegin = previous?.end ?? 0;
    if (entry.begin !== expectedBegin) {
      if (previous === undefined) {
        throw new SafetensorsOffsetsError(
          file,
          entry.name,
          'not-starting-at-zero',
          `first tensor begins at ${entry.begin}`,
        );
      }
      const problem = entry.begin < expectedBegin ? 'overlap' : 'hole';
      throw new SafetensorsOffsetsError(
        file,
        entry.name,
        problem,
        `begins at ${entry.begin} but "${previous.name}" ends at ${expectedBegin}`,
      );
    }
    previous = entry;
  }
  const end = previous?.end ?? 0;
  if (end > dataSize)
    throw new SafetensorsTruncatedError(file, dataStart + end, dataStart + dataSize, previous?.name);
  if (end < dataSize) {
    throw new SafetensorsOffsetsError(
      file,
      undefined,
      'trailing-bytes',
      `tensors end at ${end} but the data section holds ${dataSize} bytes`,
    );
  }
  const tensors = new Map<string, TensorInfo>();
  for (const { name, dtype, shape, begin, end: stop } of entries) {
    tensors.set(name, {
      dtype,
      shape,
      byteOffset: dataStart + begin,
      byteLength: stop - begin,
      dataOffsets: [begin, stop],
    });
  }
  return { metadata, tensors };
}

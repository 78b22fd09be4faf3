import { isSafetensorsDtype, type SafetensorsDtype, tensorByteLength } from './dtypes.js';
import { SafetensorsDtypeError } from './errors/safetensors-dtype-error.js';
import { SafetensorsDuplicateTensorError } from './errors/safetensors-duplicate-tensor-error.js';
import { SafetensorsHeaderLengthError } from './errors/safetensors-header-length-error.js';
import { SafetensorsMetadataError } from './errors/safetensors-metadata-error.js';
import { SafetensorsShapeError } from './errors/safetensors-shape-error.js';
import { SafetensorsWriteError } from './errors/safetensors-write-error.js';
import { MAX_HEADER_BYTES } from './header-limits.js';

/** What a writer needs to know about a tensor before its bytes arrive. */
export interface TensorDeclaration {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
}

export interface PlannedTensor extends TensorDeclaration {
  byteOffset: number;
  byteLength: number;
}

export interface HeaderPlan {
  /** The 8-byte length prefix followed by the space-padded JSON header. */
  prefix: Uint8Array;
  tensors: PlannedTensor[];
  dataBytes: number;
}

/**
 * Lays out tensors back to back in the given order and encodes the header (padded with spaces to a
 * multiple of 8 bytes, as the Python writer does, so the data section starts aligned).
 */
export function buildHeader(
  file: string,
  declarations: readonly TensorDeclaration[],
  metadata: Readonly<Record<string, string>> | undefined,
): HeaderPlan {
  // Built as [key, value] pairs and joined by hand: an object would put integer-like names ("0") first
  // and treat "__proto__" specially, and the header text must list tensors in the given order.
  const header: [string, unknown][] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsMetadataError(file, key);
    }
    header.push(['__metadata__', metadata]);
  }
  const tensors: PlannedTensor[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const { name, dtype, shape } of declarations) {
    if (typeof name !== 'string' || name === '' || name === '__metadata__') {
      throw new SafetensorsWriteError(
        file,
        String(name),
        'tensor name must be a non-empty string other than __metadata__',
      );
    }
    if (seen.has(name)) throw new SafetensorsDuplicateTensorError(file, name);
    seen.add(name);
    if (!isSafetensorsDtype(dtype)) throw new SafetensorsDtypeError(file, name, String(dtype), 'unknown');
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsShapeError(file, name, 'shape must be a list of non-negative safe integers');
    }
    const byteLength = tensorByteLength(dtype, shape);
    const end = BigInt(offset) + byteLength;
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new SafetensorsShapeError(file, name, `data would exceed ${Number.MAX_SAFE_INTEGER} bytes`);
    }
    tensors.push({ name, dtype, shape: [...shape], byteOffset: offset, byteLength: Number(byteLength) });
    header.push([name, { dtype, shape, data_offsets: [offset, Number(end)] }]);
    offset = Number(end);
  }
  const text = `{${header.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
  const json = new TextEncoder().encode(text);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) {
    throw new SafetensorsHeaderLengthError(file, BigInt(padded), MAX_HEADER_BYTES, 0);
  }
  const prefix = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded), true);
  prefix.set(json, 8);
  return { prefix, tensors, dataBytes: offset };
}

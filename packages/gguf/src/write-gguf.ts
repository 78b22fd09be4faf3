import { open, rename, rm } from 'node:fs/promises';
import { GgufInputError } from './errors/gguf-input-error.js';
import {
  GGML_BLOCK,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  type GgmlTypeName,
  ggmlByteLength,
} from './gguf-constants.js';
import { ByteSink, encodeMetadataEntry, type GgufMetadata } from './gguf-metadata.js';

/** One tensor to write. Its bytes come from `data()`, in order, exactly `ggmlByteLength` of them. */
export interface GgufTensorPlan {
  readonly name: string;
  /** numpy / PyTorch order (outermost first); written reversed as ggml `ne` (innermost first). */
  readonly shape: readonly number[];
  readonly type: GgmlTypeName;
  readonly data: () => AsyncIterable<Uint8Array>;
}

export interface WriteGgufOptions {
  readonly alignment?: number;
  /** Called after each tensor is written. */
  readonly onTensor?: (info: { name: string; index: number; count: number; bytes: number }) => void;
}

export interface GgufWriteResult {
  readonly path: string;
  readonly fileSize: number;
  readonly tensorCount: number;
  readonly dataOffset: number;
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/**
 * Writes a GGUF v3 file: header, metadata (plus `general.alignment`), tensor infos, then each
 * tensor's data at an aligned offset, streamed tensor by tensor. The file appears at `path` only when
 * complete (written to `path.partial`, then renamed).
 */
export async function writeGguf(
  path: string,
  metadata: GgufMetadata,
  tensors: readonly GgufTensorPlan[],
  options: WriteGgufOptions = {},
): Promise<GgufWriteResult> {
  const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new GgufInputError('alignment', `${alignment} must be a positive multiple of 8`);
  }
  const keys = new Set<string>();
  const entries = [...metadata.filter(([key]) => key !== 'general.alignment')];
  entries.push(['general.alignment', { type: 'uint32', value: alignment }]);
  for (const [key] of entries) {
    if (keys.has(key)) throw new GgufInputError(`metadata ${key}`, 'key given twice');
    keys.add(key);
  }
  const names = new Set<string>();
  const sizes: number[] = [];
  for (const tensor of tensors) {
    if (names.has(tensor.name)) throw new GgufInputError(`tensor ${tensor.name}`, 'name given twice');
    names.add(tensor.name);
    if (new TextEncoder().encode(tensor.name).length > 64) {
      throw new GgufInputError(`tensor ${tensor.name}`, 'name longer than 64 bytes (GGML_MAX_NAME)');
    }
    if (tensor.shape.length < 1 || tensor.shape.length > 4) {
      throw new GgufInputError(`tensor ${tensor.name}`, `${tensor.shape.length} dimensions (1 to 4 allowed)`);
    }
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    const inner = tensor.shape[tensor.shape.length - 1] as number;
    if (inner % GGML_BLOCK[tensor.type].elements !== 0) {
      throw new GgufInputError(
        `tensor ${tensor.name}`,
        `row length ${inner} is not a multiple of the ${tensor.type} block (${GGML_BLOCK[tensor.type].elements})`,
      );
    }
    sizes.push(ggmlByteLength(tensor.type, elements));
  }

  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(entries.length);
  for (const [key, value] of entries) encodeMetadataEntry(header, key, value);
  let offset = 0;
  tensors.forEach((tensor, i) => {
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (let d = tensor.shape.length - 1; d >= 0; d--) header.u64(tensor.shape[d] as number);
    header.u32(GgmlType[tensor.type]);
    header.u64(offset);
    offset = alignUp(offset + (sizes[i] as number), alignment);
  });
  header.padTo(alignment);
  const dataOffset = header.length;

  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let position = 0;
  try {
    const head = header.result();
    await handle.write(head, 0, head.length, 0);
    position = head.length;
    for (let i = 0; i < tensors.length; i++) {
      const tensor = tensors[i] as GgufTensorPlan;
      const expected = sizes[i] as number;
      let written = 0;
      for await (const chunk of tensor.data()) {
        if (written + chunk.length > expected) {
          throw new GgufInputError(`tensor ${tensor.name}`, `data longer than ${expected} bytes`);
        }
        await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
        written += chunk.length;
      }
      if (written !== expected) {
        throw new GgufInputError(`tensor ${tensor.name}`, `data is ${written} bytes, expected ${expected}`);
      }
      const pad = alignUp(written, alignment) - written;
      if (pad > 0) {
        await handle.write(new Uint8Array(pad), 0, pad, position);
        position += pad;
      }
      options.onTensor?.({ name: tensor.name, index: i, count: tensors.length, bytes: written });
    }
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, path);
  return { path, fileSize: position, tensorCount: tensors.length, dataOffset };
}

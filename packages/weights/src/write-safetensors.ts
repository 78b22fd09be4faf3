import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { buildHeader, type PlannedTensor, type TensorDeclaration } from './build-header.js';
import { SafetensorsWriteError } from './errors/safetensors-write-error.js';
import { type TensorData, tensorBytes } from './tensor-bytes.js';

export interface TensorToWrite extends TensorDeclaration {
  /** Raw little-endian bytes (any typed array), or a Float32Array for a BF16/F16 tensor (rounded). */
  data: TensorData;
}

export interface WriteSafetensorsOptions {
  /** `__metadata__`: strings only (the format's rule). */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Streams a safetensors file: the header is written at creation, then each tensor's bytes in the
 * declared order, in as many `write` calls as wanted. The file appears at `path` only when `close()`
 * has checked that every tensor is complete (it is written to a temporary name beside it first).
 */
export interface SafetensorsWriter {
  readonly path: string;
  readonly tensors: readonly PlannedTensor[];
  /** Appends bytes of tensor `name`, which must be the first tensor not yet complete. */
  write(name: string, data: TensorData): Promise<void>;
  /** Checks that every tensor was written completely, then moves the file into place. */
  close(): Promise<void>;
  /** Stops and removes the partial file. Safe to call more than once. */
  abort(): Promise<void>;
}

const WRITE_CHUNK = 64 * 1024 * 1024;

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const length = Math.min(WRITE_CHUNK, bytes.length - done);
    const { bytesWritten } = await handle.write(bytes, done, length, position + done);
    done += bytesWritten;
  }
}

export async function createSafetensorsWriter(
  path: string,
  entries: readonly TensorDeclaration[],
  metadata?: Readonly<Record<string, string>>,
): Promise<SafetensorsWriter> {
  const plan = buildHeader(path, entries, metadata);
  const temporary = `${path}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temporary, 'wx');
  let state: 'open' | 'closed' | 'aborted' = 'open';
  let current = 0; // index of the tensor being written
  let written = 0; // bytes of tensor `current` written so far
  const dataStart = plan.prefix.length;

  const abort = async (): Promise<void> => {
    if (state !== 'open') return;
    state = 'aborted';
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
  };

  const failWith = async (error: Error): Promise<never> => {
    await abort();
    throw error;
  };

  try {
    await writeFully(handle, plan.prefix, 0);
  } catch (error) {
    await abort();
    throw error;
  }

  const skipEmpty = (): void => {
    while (current < plan.tensors.length && plan.tensors[current]!.byteLength === written) {
      current += 1;
      written = 0;
    }
  };
  skipEmpty();

  // Calls run one after another in call order, so writes issued without awaiting each other still
  // land at the right offsets (the caller must not modify a chunk until its write has resolved).
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(step: () => Promise<T>): Promise<T> => {
    const result = queue.then(step);
    queue = result.catch(() => {});
    return result;
  };

  const write = async (name: string, data: TensorData): Promise<void> => {
    if (state !== 'open') throw new SafetensorsWriteError(path, name, `writer is ${state}`);
    if (data.byteLength === 0 && plan.tensors.some((t) => t.name === name)) return; // nothing to append
    const expected = plan.tensors[current];
    if (expected === undefined || expected.name !== name) {
      const known = plan.tensors.some((t) => t.name === name);
      return failWith(
        new SafetensorsWriteError(
          path,
          name,
          !known
            ? 'tensor was not declared'
            : expected === undefined
              ? 'every tensor is already complete'
              : `out of order: "${expected.name}" is not complete yet`,
        ),
      );
    }
    const bytes = tensorBytes(expected.dtype, data);
    if (written + bytes.length > expected.byteLength) {
      return failWith(
        new SafetensorsWriteError(
          path,
          name,
          `too many bytes: ${written + bytes.length} given, shape [${expected.shape.join(', ')}] of ${expected.dtype} takes ${expected.byteLength}`,
        ),
      );
    }
    try {
      await writeFully(handle, bytes, dataStart + expected.byteOffset + written);
    } catch (error) {
      return failWith(error as Error);
    }
    written += bytes.length;
    skipEmpty();
  };

  const close = async (): Promise<void> => {
    if (state !== 'open') throw new SafetensorsWriteError(path, undefined, `writer is ${state}`);
    const incomplete = plan.tensors[current];
    if (incomplete !== undefined) {
      return failWith(
        new SafetensorsWriteError(
          path,
          incomplete.name,
          `incomplete: ${written} of ${incomplete.byteLength} bytes written`,
        ),
      );
    }
    state = 'closed';
    try {
      await handle.close();
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  };

  return {
    path,
    tensors: plan.tensors,
    write: (name, data) => serialized(() => write(name, data)),
    close: () => serialized(close),
    abort: () => serialized(abort),
  };
}

/** Writes a whole safetensors file from tensors held in memory (see `createSafetensorsWriter` for huge ones). */
export async function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const plan = buildHeader(path, tensors, options.metadata);
  const payloads = tensors.map((tensor, i) => {
    const bytes = tensorBytes(tensor.dtype, tensor.data);
    const expected = plan.tensors[i]!.byteLength;
    if (bytes.length !== expected) {
      throw new SafetensorsWriteError(
        path,
        tensor.name,
        `data has ${bytes.length} bytes, shape [${tensor.shape.join(', ')}] of ${tensor.dtype} takes ${expected}`,
      );
    }
    return bytes;
  });
  const writer = await createSafetensorsWriter(path, tensors, options.metadata);
  try {
    for (const [i, tensor] of tensors.entries()) await writer.write(tensor.name, payloads[i]!);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}

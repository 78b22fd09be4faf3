import { type FileHandle, open } from 'node:fs/promises';
import type { SafetensorsDtype } from './dtypes.js';
import { SafetensorsClosedError } from './errors/safetensors-closed-error.js';
import { SafetensorsDtypeError } from './errors/safetensors-dtype-error.js';
import { SafetensorsHeaderLengthError } from './errors/safetensors-header-length-error.js';
import { SafetensorsTruncatedError } from './errors/safetensors-truncated-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import { WeightsFileError } from './errors/weights-file-error.js';
import { MAX_HEADER_BYTES } from './header-limits.js';
import { parseHeader } from './parse-header.js';
import type { RawTensor, TensorInfo } from './tensor-info.js';
import { float64ToFloat32, readWidened } from './to-float32.js';

/** Options of `read`. */
export interface ReadOptions {
  /** Read into a SharedArrayBuffer (default: an ArrayBuffer). */
  shared?: boolean;
  /**
   * Where the bytes go: `take(byteLength)` gives the buffer to read into (e.g. one recycled from an
   * earlier tensor: fresh memory costs a page fault per 4 KiB); the caller gives it back when done.
   */
  buffers?: ReadBuffers;
}

/** Buffers to read tensors into, reused between reads (see `ReadOptions.buffers`). */
export interface ReadBuffers {
  /** A buffer of exactly `byteLength` bytes (its contents are overwritten). */
  take(byteLength: number): Uint8Array;
  /** `bytes` (from `take`) is no longer used. */
  give(bytes: Uint8Array): void;
}

/** Largest single fs read (Node refuses reads of 2 GiB or more). */
const READ_CHUNK = 1 << 30;

/** A typed array of each dtype's natural element type (F16/BF16 as raw Uint16 bits, BOOL as Uint8). */
export type TypedTensorData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

function typedView(dtype: SafetensorsDtype, bytes: Uint8Array): TypedTensorData {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'F32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'F16':
    case 'BF16':
    case 'U16':
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'U64':
      return new BigUint64Array(buffer, byteOffset, byteLength / 8);
    case 'I32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'U32':
      return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case 'I16':
      return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'I8':
      return new Int8Array(buffer, byteOffset, byteLength);
    case 'U8':
    case 'BOOL':
      return bytes;
  }
}

/**
 * One safetensors file, opened lazily: only the header is read (and validated) at open; each
 * tensor's bytes are read at their offset when asked for. Reads may run concurrently.
 */
export class SafetensorsFile {
  private handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    /** Size of the file in bytes when opened. */
    readonly fileSize: number,
    /** Length of the JSON header (the data section starts at 8 + headerLength). */
    readonly headerLength: number,
    /** `__metadata__` (empty when absent). */
    readonly metadata: Readonly<Record<string, string>>,
    /** Every tensor, in file order. */
    readonly tensors: ReadonlyMap<string, TensorInfo>,
  ) {
    this.handle = handle;
  }

  /** Opens `path` and validates its header; throws a `WeightsError` subclass naming what is wrong. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new WeightsFileError(path, `cannot open (${code})`, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new WeightsFileError(path, 'not a regular file');
      const { size } = stats;
      if (size < 8) throw new SafetensorsTruncatedError(path, 8, size);
      const prefix = new Uint8Array(8);
      await readExactly(handle, path, prefix, 0, undefined);
      const headerLength = new DataView(prefix.buffer).getBigUint64(0, true);
      if (headerLength > BigInt(MAX_HEADER_BYTES) || headerLength > BigInt(size - 8)) {
        throw new SafetensorsHeaderLengthError(path, headerLength, MAX_HEADER_BYTES, size);
      }
      const length = Number(headerLength);
      const headerBytes = new Uint8Array(length);
      await readExactly(handle, path, headerBytes, 8, undefined);
      const dataStart = 8 + length;
      const { metadata, tensors } = parseHeader(path, headerBytes, dataStart, size - dataStart);
      return new SafetensorsFile(path, handle, size, length, metadata, tensors);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor names, in file order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (info === undefined) throw new TensorNotFoundError(this.path, name);
    return info;
  }

  /**
   * The tensor's bytes as stored (little-endian), in a fresh aligned buffer; with `shared`, a
   * SharedArrayBuffer (worker threads read it without a copy).
   */
  async read(name: string, options: ReadOptions = {}): Promise<RawTensor> {
    const info = this.info(name);
    const bytes =
      options.buffers?.take(info.byteLength) ??
      new Uint8Array(
        options.shared === true ? new SharedArrayBuffer(info.byteLength) : new ArrayBuffer(info.byteLength),
      );
    await readExactly(this.openHandle(name), this.path, bytes, info.byteOffset, name);
    return { dtype: info.dtype, shape: info.shape, bytes };
  }

  /** The tensor as a typed array of its own element type (F16/BF16: raw Uint16 bits; I64/U64: BigInt). */
  async readTyped(
    name: string,
  ): Promise<{ dtype: SafetensorsDtype; shape: readonly number[]; data: TypedTensorData }> {
    const { dtype, shape, bytes } = await this.read(name);
    return { dtype, shape, data: typedView(dtype, bytes) };
  }

  /**
   * The tensor converted to float32: F32 as is, BF16 and F16 exactly (widened in place in the output
   * buffer, so a 16-bit tensor costs one float32 allocation), F64 rounded. Other dtypes throw
   * `SafetensorsDtypeError`.
   */
  async readFloat32(name: string): Promise<Float32Array> {
    const info = this.info(name);
    const { dtype } = info;
    if (dtype !== 'F32' && dtype !== 'BF16' && dtype !== 'F16' && dtype !== 'F64') {
      throw new SafetensorsDtypeError(this.path, name, dtype, 'not-floating-point');
    }
    const handle = this.openHandle(name);
    if (dtype === 'F64') {
      const bytes = new Uint8Array(info.byteLength);
      await readExactly(handle, this.path, bytes, info.byteOffset, name);
      return float64ToFloat32(bytes);
    }
    const out = new Float32Array(dtype === 'F32' ? info.byteLength / 4 : info.byteLength / 2);
    if (dtype === 'F32') {
      await readExactly(handle, this.path, new Uint8Array(out.buffer), info.byteOffset, name);
      return out;
    }
    // 16-bit values are read into the upper half of the output buffer and widened in place.
    return readWidened(out, dtype, (target, first) =>
      readExactly(handle, this.path, target, info.byteOffset + 2 * first, name),
    );
  }

  /** The tensor's bytes in chunks of at most `chunkBytes`, for tensors too large to hold twice. */
  async *readChunks(name: string, chunkBytes = 64 * 1024 * 1024): AsyncGenerator<Uint8Array> {
    const info = this.info(name);
    for (let done = 0; done < info.byteLength; done += chunkBytes) {
      const chunk = new Uint8Array(Math.min(chunkBytes, info.byteLength - done));
      await readExactly(this.openHandle(name), this.path, chunk, info.byteOffset + done, name);
      yield chunk;
    }
  }

  /** Closes the file; later reads throw `SafetensorsClosedError`. Safe to call more than once. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private openHandle(name: string): FileHandle {
    if (this.handle === undefined) throw new SafetensorsClosedError(this.path, name);
    return this.handle;
  }
}

/** Fills `target` from `position`, or throws `SafetensorsTruncatedError` if the file ends first. */
async function readExactly(
  handle: FileHandle,
  path: string,
  target: Uint8Array,
  position: number,
  tensor: string | undefined,
): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(READ_CHUNK, target.length - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0)
      throw new SafetensorsTruncatedError(path, position + target.length, position + done, tensor);
    done += bytesRead;
  }
}

/** Opens a safetensors file lazily (see `SafetensorsFile`). */
export function openSafetensors(path: string): Promise<SafetensorsFile> {
  return SafetensorsFile.open(path);
}

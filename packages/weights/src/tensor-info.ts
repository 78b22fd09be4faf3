import type { SafetensorsDtype } from './dtypes.js';

/** Where a tensor lies in its safetensors file, as read from (and checked against) the header. */
export interface TensorInfo {
  dtype: SafetensorsDtype;
  /** Dimensions, outermost first (`[]` for a scalar). */
  shape: readonly number[];
  /** Absolute position of the first byte in the file (8 + header length + data_offsets[0]). */
  byteOffset: number;
  byteLength: number;
  /** The header's `data_offsets`, relative to the start of the data section. */
  dataOffsets: readonly [number, number];
}

/** A tensor's bytes as stored (little-endian), in a buffer of its own (aligned for any typed array). */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  bytes: Uint8Array;
}

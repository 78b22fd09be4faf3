import { float32ToBfloat16 } from './convert/bfloat16.js';
import { float32ToFloat16 } from './convert/float16.js';
import type { SafetensorsDtype } from './dtypes.js';

/** Tensor data as given to the writers: raw little-endian bytes, any typed array, or float32 for F16/BF16. */
export type TensorData = Uint8Array | ArrayBufferView;

/**
 * The bytes to store for `data` of `dtype`. A Float32Array given for a BF16 or F16 tensor is rounded
 * to that dtype (round-to-nearest-even); anything else is taken as raw little-endian bytes.
 */
export function tensorBytes(dtype: SafetensorsDtype, data: TensorData): Uint8Array {
  if (data instanceof Float32Array && (dtype === 'BF16' || dtype === 'F16')) {
    const bits = dtype === 'BF16' ? float32ToBfloat16(data) : float32ToFloat16(data);
    return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  }
  if (data instanceof Uint8Array) return data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

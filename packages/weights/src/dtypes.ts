/** The dtypes of the safetensors format that this package reads and writes. */
export const SAFETENSORS_DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'U64',
  'I32',
  'U32',
  'I16',
  'U16',
  'I8',
  'U8',
  'BOOL',
] as const;

export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(BYTES_PER_ELEMENT, value);
}

/** Size in bytes of one element of `dtype`. */
export function dtypeByteSize(dtype: SafetensorsDtype): number {
  return BYTES_PER_ELEMENT[dtype];
}

/**
 * Bytes taken by a tensor of `shape` and `dtype`, as a BigInt so that no product can overflow.
 * The caller compares it with the offsets or with Number.MAX_SAFE_INTEGER.
 */
export function tensorByteLength(dtype: SafetensorsDtype, shape: readonly number[]): bigint {
  let total = BigInt(BYTES_PER_ELEMENT[dtype]);
  for (const dim of shape) total *= BigInt(dim);
  return total;
}

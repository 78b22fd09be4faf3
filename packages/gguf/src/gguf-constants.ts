/** GGUF container constants (ggml docs/gguf.md, version 3). */
export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (`gguf_metadata_value_type`). */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** The ggml tensor types this package writes (`ggml_type` numbering). */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Elements per block and bytes per block of each written type. */
export const GGML_BLOCK: Readonly<Record<GgmlTypeName, { elements: number; bytes: number }>> = {
  F32: { elements: 1, bytes: 4 },
  F16: { elements: 1, bytes: 2 },
  Q4_0: { elements: 32, bytes: 18 }, // f16 scale + 16 bytes of nibbles
  Q8_0: { elements: 32, bytes: 34 }, // f16 scale + 32 int8
};

/** `general.file_type` (`llama_ftype`) for a file whose matrices are mostly of this type. */
export const LLAMA_FTYPE: Readonly<Record<GgmlTypeName, number>> = {
  F32: 0, // ALL_F32
  F16: 1, // MOSTLY_F16
  Q4_0: 2, // MOSTLY_Q4_0
  Q8_0: 7, // MOSTLY_Q8_0
};

/** `tokenizer.ggml.token_type` values (llama_token_type). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** Bytes a tensor of `type` with `elements` values takes (elements must fill whole blocks). */
export function ggmlByteLength(type: GgmlTypeName, elements: number): number {
  const block = GGML_BLOCK[type];
  return (elements / block.elements) * block.bytes;
}

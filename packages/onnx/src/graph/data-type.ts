/** ONNX `TensorProto.DataType` values for the element types this project uses. */
export const DataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  bfloat16: 16,
  uint4: 21,
  int4: 22,
} as const;

export type ElementType = keyof typeof DataType;

/** Bytes per element (4-bit types report 0.5). */
export function bytesPerElement(type: ElementType): number {
  switch (type) {
    case 'float32':
    case 'int32':
      return 4;
    case 'int64':
      return 8;
    case 'float16':
    case 'bfloat16':
      return 2;
    case 'uint8':
    case 'int8':
    case 'bool':
      return 1;
    case 'uint4':
    case 'int4':
      return 0.5;
  }
}

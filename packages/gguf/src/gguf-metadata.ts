import { GgufInputError } from './errors/gguf-input-error.js';
import { GgufValueType } from './gguf-constants.js';

/** A typed metadata value. Arrays hold one element type. */
export type GgufValue =
  | { readonly type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32'; readonly value: number }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint | number }
  | { readonly type: 'float32' | 'float64'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | {
      readonly type: 'array';
      readonly itemType: 'string';
      readonly value: readonly string[];
    }
  | {
      readonly type: 'array';
      readonly itemType: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32';
      readonly value: ArrayLike<number>;
    };

export type GgufMetadata = ReadonlyArray<readonly [key: string, value: GgufValue]>;

const SCALAR_CODES = {
  uint8: [GgufValueType.UINT8, 1],
  int8: [GgufValueType.INT8, 1],
  uint16: [GgufValueType.UINT16, 2],
  int16: [GgufValueType.INT16, 2],
  uint32: [GgufValueType.UINT32, 4],
  int32: [GgufValueType.INT32, 4],
  float32: [GgufValueType.FLOAT32, 4],
  float64: [GgufValueType.FLOAT64, 8],
  uint64: [GgufValueType.UINT64, 8],
  int64: [GgufValueType.INT64, 8],
  bool: [GgufValueType.BOOL, 1],
} as const;

/** Growable little-endian byte buffer. */
export class ByteSink {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number | bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  scalar(type: keyof typeof SCALAR_CODES, v: number | bigint | boolean): void {
    const size = SCALAR_CODES[type][1];
    this.reserve(size);
    const at = this.length;
    switch (type) {
      case 'uint8':
        this.view.setUint8(at, v as number);
        break;
      case 'int8':
        this.view.setInt8(at, v as number);
        break;
      case 'uint16':
        this.view.setUint16(at, v as number, true);
        break;
      case 'int16':
        this.view.setInt16(at, v as number, true);
        break;
      case 'uint32':
        this.view.setUint32(at, v as number, true);
        break;
      case 'int32':
        this.view.setInt32(at, v as number, true);
        break;
      case 'float32':
        this.view.setFloat32(at, v as number, true);
        break;
      case 'float64':
        this.view.setFloat64(at, v as number, true);
        break;
      case 'uint64':
        this.view.setBigUint64(at, BigInt(v as number | bigint), true);
        break;
      case 'int64':
        this.view.setBigInt64(at, BigInt(v as number | bigint), true);
        break;
      case 'bool':
        this.view.setUint8(at, v ? 1 : 0);
        break;
    }
    this.length += size;
  }
  string(s: string): void {
    const bytes = encoder.encode(s);
    this.u64(bytes.length);
    this.bytes(bytes);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.reserve(pad);
    this.buffer.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

const encoder = new TextEncoder();

function checkInteger(key: string, type: string, v: number | bigint): void {
  const ranges: Record<string, [bigint, bigint]> = {
    uint8: [0n, 255n],
    int8: [-128n, 127n],
    uint16: [0n, 65535n],
    int16: [-32768n, 32767n],
    uint32: [0n, 4294967295n],
    int32: [-2147483648n, 2147483647n],
    uint64: [0n, 18446744073709551615n],
    int64: [-9223372036854775808n, 9223372036854775807n],
  };
  const range = ranges[type];
  if (range === undefined) return;
  if (typeof v === 'number' && !Number.isInteger(v)) {
    throw new GgufInputError(`metadata ${key}`, `${v} is not an integer (${type})`);
  }
  const big = BigInt(v);
  if (big < range[0] || big > range[1]) {
    throw new GgufInputError(`metadata ${key}`, `${v} is outside the range of ${type}`);
  }
}

/** Appends one key/value pair (key string, value type, value) in GGUF encoding. */
export function encodeMetadataEntry(sink: ByteSink, key: string, value: GgufValue): void {
  sink.string(key);
  if (value.type === 'string') {
    sink.u32(GgufValueType.STRING);
    sink.string(value.value);
    return;
  }
  if (value.type === 'array') {
    sink.u32(GgufValueType.ARRAY);
    if (value.itemType === 'string') {
      sink.u32(GgufValueType.STRING);
      sink.u64(value.value.length);
      for (const s of value.value) sink.string(s);
      return;
    }
    const itemType = value.itemType;
    sink.u32(SCALAR_CODES[itemType][0]);
    sink.u64(value.value.length);
    for (let i = 0; i < value.value.length; i++) {
      const v = value.value[i] as number;
      if (itemType !== 'float32') checkInteger(`${key}[${i}]`, itemType, v);
      sink.scalar(itemType, v);
    }
    return;
  }
  checkInteger(key, value.type, value.value as number);
  sink.u32(SCALAR_CODES[value.type][0]);
  sink.scalar(value.type, value.value);
}

import { open } from 'node:fs/promises';
import { GgufFormatError } from './errors/gguf-format-error.js';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GgmlType,
  type GgmlTypeName,
  GgufValueType,
} from './gguf-constants.js';

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: ne[0] is the innermost (contiguous) dimension. */
  readonly ne: readonly number[];
  readonly type: GgmlTypeName | number;
  /** Absolute position of the data in the file. */
  readonly offset: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, unknown>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly dataOffset: number;
  readonly alignment: number;
}

const TYPE_NAMES = new Map<number, GgmlTypeName>(
  Object.entries(GgmlType).map(([name, code]) => [code, name as GgmlTypeName]),
);

/**
 * Reads the header, metadata and tensor infos of a GGUF file (not the tensor data). Integer
 * metadata comes back as numbers (64-bit as bigint), arrays as plain arrays.
 */
export async function readGgufHeader(path: string, maxHeaderBytes = 256 * 1024 * 1024): Promise<GgufHeader> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxHeaderBytes);
    const buffer = new Uint8Array(length);
    await handle.read(buffer, 0, length, 0);
    const view = new DataView(buffer.buffer);
    let at = 0;
    const need = (n: number) => {
      if (at + n > length) throw new GgufFormatError(path, at, `needs ${n} more bytes than the file has`);
    };
    const u32 = () => {
      need(4);
      const v = view.getUint32(at, true);
      at += 4;
      return v;
    };
    const u64 = () => {
      need(8);
      const v = view.getBigUint64(at, true);
      at += 8;
      return Number(v);
    };
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const str = () => {
      const n = u64();
      need(n);
      const s = decoder.decode(buffer.subarray(at, at + n));
      at += n;
      return s;
    };
    const scalar = (type: number): unknown => {
      const sizes: Record<number, number> = {
        0: 1,
        1: 1,
        2: 2,
        3: 2,
        4: 4,
        5: 4,
        6: 4,
        7: 1,
        10: 8,
        11: 8,
        12: 8,
      };
      const size = sizes[type];
      if (size === undefined) throw new GgufFormatError(path, at, `unknown value type ${type}`);
      need(size);
      const p = at;
      at += size;
      switch (type) {
        case GgufValueType.UINT8:
          return view.getUint8(p);
        case GgufValueType.INT8:
          return view.getInt8(p);
        case GgufValueType.UINT16:
          return view.getUint16(p, true);
        case GgufValueType.INT16:
          return view.getInt16(p, true);
        case GgufValueType.UINT32:
          return view.getUint32(p, true);
        case GgufValueType.INT32:
          return view.getInt32(p, true);
        case GgufValueType.FLOAT32:
          return view.getFloat32(p, true);
        case GgufValueType.BOOL:
          return view.getUint8(p) !== 0;
        case GgufValueType.UINT64:
          return view.getBigUint64(p, true);
        case GgufValueType.INT64:
          return view.getBigInt64(p, true);
        default:
          return view.getFloat64(p, true);
      }
    };
    const value = (type: number): unknown => {
      if (type === GgufValueType.STRING) return str();
      if (type === GgufValueType.ARRAY) {
        const itemType = u32();
        const count = u64();
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) items.push(value(itemType));
        return items;
      }
      return scalar(type);
    };

    if (u32() !== GGUF_MAGIC) throw new GgufFormatError(path, 0, 'not a GGUF file (magic)');
    const version = u32();
    const tensorCount = u64();
    const kvCount = u64();
    const metadata = new Map<string, unknown>();
    for (let i = 0; i < kvCount; i++) {
      const key = str();
      metadata.set(key, value(u32()));
    }
    const alignment = Number(metadata.get('general.alignment') ?? GGUF_DEFAULT_ALIGNMENT);
    const infos: { name: string; ne: number[]; type: number; relative: number }[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = str();
      const dims = u32();
      const ne: number[] = [];
      for (let d = 0; d < dims; d++) ne.push(u64());
      infos.push({ name, ne, type: u32(), relative: u64() });
    }
    const dataOffset = Math.ceil(at / alignment) * alignment;
    return {
      version,
      metadata,
      dataOffset,
      alignment,
      tensors: infos.map((t) => ({
        name: t.name,
        ne: t.ne,
        type: TYPE_NAMES.get(t.type) ?? t.type,
        offset: dataOffset + t.relative,
      })),
    };
  } finally {
    await handle.close();
  }
}

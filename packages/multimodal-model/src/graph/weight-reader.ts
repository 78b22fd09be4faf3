import { type ReadBytesOptions, transpose, type WeightSource } from '@gemma3/text-model';

/** Where the graph builder gets tensors: read (as float32) when the model is saved, one at a time. */
export type WeightReader = WeightSource;

export { transpose };

/** Several 1-D tensors one after another. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const result = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    result.set(p, offset);
    offset += p.length;
  }
  return result;
}

/**
 * A WeightSource that also serves tensors the graph derives from the checkpoint's (e.g. q, k, v stacked
 * into one weight), so a weight op (float32 or quantized) can read them like any stored tensor.
 */
export class DerivedWeights implements WeightReader {
  private readonly derived = new Map<string, () => Promise<Float32Array>>();

  constructor(private readonly base: WeightReader) {}

  /** Registers `name` (must not clash with another derived tensor); returns it. */
  define(name: string, read: () => Promise<Float32Array>): string {
    this.derived.set(name, read);
    return name;
  }

  readFloat32(name: string): Promise<Float32Array> {
    const read = this.derived.get(name);
    return read ? read() : this.base.readFloat32(name);
  }

  /** The stored bytes of a checkpoint tensor (when the base gives them); a derived one's float32 values. */
  async read(name: string, options?: ReadBytesOptions): Promise<{ dtype: string; bytes: Uint8Array }> {
    const derive = this.derived.get(name);
    if (derive === undefined && this.base.read !== undefined) return this.base.read(name, options);
    const values = await this.readFloat32(name);
    return { dtype: 'F32', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  }
}

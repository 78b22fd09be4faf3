import { writeFile } from 'node:fs/promises';

export interface CraftOptions {
  /** Value written in the u64 length prefix instead of the header's real length. */
  headerLength?: bigint;
  /** Cut the file to this many bytes. */
  truncateTo?: number;
}

/** Writes a safetensors file from a header given as bytes, text or object, for malformed cases. */
export async function craftSafetensors(
  path: string,
  header: string | Uint8Array | Record<string, unknown>,
  data: Uint8Array = new Uint8Array(0),
  options: CraftOptions = {},
): Promise<void> {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const file = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(file.buffer).setBigUint64(0, options.headerLength ?? BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  file.set(data, 8 + headerBytes.length);
  await writeFile(path, options.truncateTo === undefined ? file : file.subarray(0, options.truncateTo));
}

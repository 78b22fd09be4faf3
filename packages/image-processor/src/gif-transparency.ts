/**
 * The colour PIL gives the transparent pixels of a GIF's first frame. PIL opens the frame as a palette
 * ("P") image and `convert("RGB")` looks the transparent index up in the palette like any other index,
 * while libvips decodes those pixels as transparent (alpha 0) with another colour. Returns
 * palette[transparent index] (local colour table of the first frame, else the global one), or null
 * when the first frame declares no transparency or the bytes are not a well-formed GIF header.
 */
export function gifTransparentColour(bytes: Uint8Array): [number, number, number] | null {
  const at = (i: number): number => (i < bytes.length ? bytes[i]! : -1);
  if (bytes.length < 13 || String.fromCharCode(...bytes.subarray(0, 3)) !== 'GIF') return null;
  let p = 13;
  let palette: Uint8Array | null = null;
  const screenFlags = at(10);
  if (screenFlags & 0x80) {
    const size = 3 * (1 << ((screenFlags & 7) + 1));
    palette = bytes.subarray(p, p + size);
    p += size;
  }
  let transparent: number | null = null;
  while (p < bytes.length) {
    const block = at(p);
    if (block === 0x21) {
      const label = at(p + 1);
      p += 2;
      if (label === 0xf9 && at(p) === 4) {
        transparent = at(p + 1) & 1 ? at(p + 4) : null;
      }
      // Skip the extension's sub-blocks up to the zero-length terminator.
      for (let size = at(p); size > 0; size = at(p)) p += size + 1;
      if (at(p) !== 0) return null;
      p += 1;
    } else if (block === 0x2c) {
      const flags = at(p + 9);
      if (flags < 0) return null;
      if (flags & 0x80) palette = bytes.subarray(p + 10, p + 10 + 3 * (1 << ((flags & 7) + 1)));
      if (transparent === null || palette === null) return null;
      const i = transparent * 3;
      // An index past the table reads as black (PIL pads short palettes with zeros).
      return i + 2 < palette.length ? [palette[i]!, palette[i + 1]!, palette[i + 2]!] : [0, 0, 0];
    } else {
      return null;
    }
  }
  return null;
}

/** Largest header accepted or written, as the safetensors format requires (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Top-level files a Gemma 3 model (text or image+text) needs besides its safetensors weights. */
export const GEMMA3_MODEL_FILES: readonly string[] = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'chat_template.jinja',
  'chat_template.json',
  'preprocessor_config.json',
  'processor_config.json',
  'model.safetensors.index.json',
];

/**
 * The default file filter: the files above and top-level `*.safetensors`. Skips everything else
 * (`*.bin`, `*.gguf`, `onnx/`, `README.md`, ...); pass `files` to resolveModel to choose otherwise.
 */
export function isGemma3ModelFile(file: string): boolean {
  if (file.includes('/')) return false;
  return GEMMA3_MODEL_FILES.includes(file) || file.endsWith('.safetensors');
}

/** Which files to fetch: an explicit list, a predicate over the repository's files, or the default. */
export type FileSelection = readonly string[] | ((file: string) => boolean);

export function selectFiles(repoFiles: readonly string[], selection: FileSelection | undefined): string[] {
  if (Array.isArray(selection)) return [...new Set(selection as readonly string[])];
  const keep = typeof selection === 'function' ? selection : isGemma3ModelFile;
  return repoFiles.filter((file) => keep(file));
}

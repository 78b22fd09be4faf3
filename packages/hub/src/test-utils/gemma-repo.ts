import type { FakeFile, FakeRepo } from './fake-hub.js';

/** Deterministic pseudo-random bytes (a xorshift stream), so blobs are not trivially compressible. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

const json = (value: unknown): FakeFile => ({ content: Buffer.from(JSON.stringify(value)) });

export const COMMIT = '3f1c2a9be0d4c5e6f708192a3b4c5d6e7f809102';

/** The files a tiny Gemma 3 repository holds, including ones the default filter must skip. */
export function gemmaFiles(): Record<string, FakeFile> {
  return {
    'config.json': json({ model_type: 'gemma3', architectures: ['Gemma3ForConditionalGeneration'] }),
    'generation_config.json': json({ do_sample: true, top_k: 64 }),
    'tokenizer.json': json({ version: '1.0', model: { type: 'BPE' } }),
    'tokenizer_config.json': json({ add_bos_token: true }),
    'special_tokens_map.json': json({ bos_token: '<bos>' }),
    'chat_template.jinja': { content: Buffer.from('{{ bos_token }}{% for m in messages %}{% endfor %}') },
    'preprocessor_config.json': json({ image_size: 896 }),
    'model.safetensors': { content: pseudoRandomBytes(300_000, 7), lfs: true },
    'pytorch_model.bin': { content: pseudoRandomBytes(5_000, 8), lfs: true },
    'onnx/model.onnx': { content: pseudoRandomBytes(5_000, 9), lfs: true },
    'README.md': { content: Buffer.from('# tiny gemma 3\n') },
  };
}

export const DEFAULT_SELECTION = [
  'chat_template.jinja',
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'preprocessor_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

export function gemmaRepo(id: string, overrides: Partial<FakeRepo> = {}): FakeRepo {
  return { id, commit: COMMIT, files: gemmaFiles(), ...overrides };
}

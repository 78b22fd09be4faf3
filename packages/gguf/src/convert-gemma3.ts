import { type Gemma3TextConfig, loadModelConfig, textConfigOf } from '@gemma3/config';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  gemma3Weights,
  openCheckpoint,
  openSafetensors,
  type SafetensorsFile,
} from '@gemma3/weights';
import { GgufInputError } from './errors/gguf-input-error.js';
import { GEMMA3_LAYER_TENSORS, ggufTensorName, isGemmaNorm } from './gemma3-tensors.js';
import { type GgufVocab, loadGemma3Vocab, vocabMetadata } from './gemma3-vocab.js';
import { type GgmlTypeName, LLAMA_FTYPE } from './gguf-constants.js';
import type { GgufMetadata, GgufValue } from './gguf-metadata.js';
import { quantizeQ4_0, quantizeQ8_0 } from './quantize.js';
import { type GgufTensorPlan, type GgufWriteResult, writeGguf } from './write-gguf.js';

/** What the matrices become; norms stay F32 in every case. */
export type GgufFileType = 'F32' | 'F16' | 'Q8_0' | 'Q4_0';

export interface ConvertToGgufOptions {
  readonly type: GgufFileType;
  /**
   * Type of token_embd (the tied LM head). Default: as `llama-quantize` does for a tied output, Q8_0
   * for Q4_0 files (llama.cpp would pick Q6_K when rows are a multiple of 256, Q8_0 otherwise; Q6_K is
   * not written here), else the file type.
   */
  readonly embeddingType?: GgmlTypeName;
  /** `general.name`; default the folder name. */
  readonly name?: string;
  /**
   * Write even when llama.cpp would compute something else than the reference (attention scale not
   * 1/sqrt(head_dim), a layer pattern other than 5 sliding + 1 full, sliding rope base != 10000).
   */
  readonly allowMismatch?: boolean;
  /** A vocabulary already loaded with `loadGemma3Vocab(dir, config.vocab_size)` (saves ~2 s per file). */
  readonly vocab?: GgufVocab;
  readonly onTensor?: (info: { name: string; index: number; count: number; bytes: number }) => void;
}

export interface ConvertToGgufResult extends GgufWriteResult {
  readonly types: Readonly<Record<string, GgmlTypeName>>;
}

/**
 * Converts the text decoder of a Gemma 3 checkpoint folder (config.json, safetensors,
 * tokenizer.json) to a llama.cpp GGUF file (arch `gemma3`), streaming one tensor at a time in
 * row chunks. Vision tower and projector are skipped (llama.cpp keeps them in a separate mmproj file).
 */
export async function convertToGguf(
  checkpointDir: string,
  outPath: string,
  options: ConvertToGgufOptions,
): Promise<ConvertToGgufResult> {
  const config = textConfigOf(await loadModelConfig(checkpointDir));
  checkLlamaCppCompatible(config, checkpointDir, options.allowMismatch ?? false);
  const vocab = options.vocab ?? (await loadGemma3Vocab(checkpointDir, config.vocab_size));
  const checkpoint = await openCheckpoint(checkpointDir);
  const files = new Map<string, SafetensorsFile>();
  try {
    const weights = gemma3Weights(checkpoint);
    const embedInfo = await weights.text('embed_tokens.weight').info();
    const embedRows = embedInfo.shape[0] as number;
    if (embedRows < vocab.tokens.length) {
      throw new GgufInputError(
        weights.text('embed_tokens.weight').name,
        `${embedRows} rows, fewer than the ${vocab.tokens.length} tokens of tokenizer.json`,
      );
    }
    const matrixType = options.type;
    const embeddingType = options.embeddingType ?? (matrixType === 'Q4_0' ? 'Q8_0' : matrixType);

    const sources: { hf: string; full: string; gguf: string }[] = [
      {
        hf: 'embed_tokens.weight',
        full: weights.text('embed_tokens.weight').name,
        gguf: 'token_embd.weight',
      },
    ];
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      for (const suffix of GEMMA3_LAYER_TENSORS) {
        const hf = `layers.${layer}.${suffix}`;
        sources.push({ hf, full: weights.text(hf).name, gguf: ggufTensorName(hf) as string });
      }
    }
    sources.push({ hf: 'norm.weight', full: weights.text('norm.weight').name, gguf: 'output_norm.weight' });
    const head = weights.lmHead();
    if (!head.tied) sources.push({ hf: 'lm_head.weight', full: head.name, gguf: 'output.weight' });

    const types: Record<string, GgmlTypeName> = {};
    const plans: GgufTensorPlan[] = [];
    for (const source of sources) {
      const info = await checkpoint.info(source.full);
      let shape = [...info.shape];
      const rows =
        source.hf === 'embed_tokens.weight' || source.hf === 'lm_head.weight'
          ? vocab.tokens.length
          : undefined;
      if (rows !== undefined) shape = [rows, shape[1] as number];
      const type: GgmlTypeName =
        shape.length === 1
          ? 'F32'
          : source.gguf === 'token_embd.weight' || source.gguf === 'output.weight'
            ? embeddingType
            : matrixType;
      types[source.gguf] = type;
      const file = checkpoint.fileOf(source.full);
      plans.push({
        name: source.gguf,
        shape,
        type,
        data: () => tensorChunks(files, file, source.full, shape, type, isGemmaNorm(source.hf) ? 1 : 0),
      });
    }
    const metadata = [...gemma3Metadata(config, options, checkpointDir), ...vocabMetadata(vocab)];
    const result = await writeGguf(outPath, metadata, plans, { onTensor: options.onTensor });
    return { ...result, types };
  } finally {
    for (const file of files.values()) await file.close();
    await checkpoint.close();
  }
}

function value(type: 'uint32' | 'float32', v: number): GgufValue {
  return { type, value: v };
}

/** `general.*` and `gemma3.*` keys, as convert_hf_to_gguf.py's Gemma3Model writes them. */
export function gemma3Metadata(
  config: Gemma3TextConfig,
  options: Pick<ConvertToGgufOptions, 'type' | 'name'>,
  checkpointDir: string,
): GgufMetadata {
  const full = config.layers.find((layer) => layer.layer_type === 'full_attention') ?? config.layers[0];
  const entries: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: 'gemma3' }],
    [
      'general.name',
      {
        type: 'string',
        value: options.name ?? checkpointDir.split(/[\\/]/).filter(Boolean).pop() ?? 'gemma3',
      },
    ],
    ['general.file_type', value('uint32', LLAMA_FTYPE[options.type])],
    ['general.quantization_version', value('uint32', 2)],
    ['gemma3.context_length', value('uint32', config.max_position_embeddings)],
    ['gemma3.embedding_length', value('uint32', config.hidden_size)],
    ['gemma3.block_count', value('uint32', config.num_hidden_layers)],
    ['gemma3.feed_forward_length', value('uint32', config.intermediate_size)],
    ['gemma3.attention.head_count', value('uint32', config.num_attention_heads)],
    ['gemma3.attention.head_count_kv', value('uint32', config.num_key_value_heads)],
    ['gemma3.attention.key_length', value('uint32', config.head_dim)],
    ['gemma3.attention.value_length', value('uint32', config.head_dim)],
    ['gemma3.attention.layer_norm_rms_epsilon', value('float32', config.rms_norm_eps)],
    ['gemma3.rope.freq_base', value('float32', full?.rope_theta ?? 1e6)],
    ['gemma3.attention.sliding_window', value('uint32', config.sliding_window)],
  ];
  const factor = full?.rope_scaling_factor ?? 1;
  if (factor !== 1) {
    entries.push(['gemma3.rope.scaling.type', { type: 'string', value: 'linear' }]);
    entries.push(['gemma3.rope.scaling.factor', value('float32', factor)]);
  }
  return entries;
}

/**
 * llama.cpp (3.21.1's build) hard-codes parts of Gemma 3: layer i slides unless i % 6 == 5, sliding
 * layers use rope base 10000 unscaled, attention scale is 1/sqrt(head_dim) (1/sqrt(hidden/heads) for
 * 62 layers), no soft-capping. A config that differs would convert to a different model.
 */
export function checkLlamaCppCompatible(config: Gemma3TextConfig, source: string, allow: boolean): void {
  const problems: string[] = [];
  config.layers.forEach((layer, i) => {
    const expected = i % 6 === 5 ? 'full_attention' : 'sliding_attention';
    if (layer.layer_type !== expected)
      problems.push(`layer ${i} is ${layer.layer_type}, llama.cpp assumes ${expected}`);
    if (
      layer.layer_type === 'sliding_attention' &&
      (layer.rope_theta !== 10000 || layer.rope_scaling_factor !== 1)
    ) {
      problems.push(
        `sliding layer ${i} rope base ${layer.rope_theta} / factor ${layer.rope_scaling_factor}, llama.cpp uses 10000 / 1`,
      );
    }
  });
  const scaleDim =
    config.num_hidden_layers === 62 ? config.hidden_size / config.num_attention_heads : config.head_dim;
  if (config.query_pre_attn_scalar !== scaleDim) {
    problems.push(
      `query_pre_attn_scalar ${config.query_pre_attn_scalar}, llama.cpp scales by 1/sqrt(${scaleDim})`,
    );
  }
  if (config.attn_logit_softcapping !== null || config.final_logit_softcapping !== null) {
    problems.push('logit soft-capping is set; llama.cpp gemma3 has none');
  }
  if (problems.length > 0 && !allow) {
    throw new GgufInputError(
      `${source}/config.json`,
      `llama.cpp would run a different model: ${problems.join('; ')}`,
    );
  }
}

/** The tensor's bytes in the target type, in chunks of whole rows (about 32 MiB of input at a time). */
async function* tensorChunks(
  files: Map<string, SafetensorsFile>,
  path: string,
  name: string,
  shape: readonly number[],
  type: GgmlTypeName,
  add: number,
): AsyncGenerator<Uint8Array> {
  let file = files.get(path);
  if (file === undefined) {
    file = await openSafetensors(path);
    files.set(path, file);
  }
  const info = file.info(name);
  const rowLength = shape[shape.length - 1] as number;
  const totalRows = shape.reduce((a, b) => a * b, 1) / rowLength;
  const elementBytes = info.dtype === 'F32' ? 4 : info.dtype === 'BF16' || info.dtype === 'F16' ? 2 : 0;
  if (elementBytes === 0)
    throw new GgufInputError(`tensor ${name}`, `dtype ${info.dtype} (F32, F16 or BF16 expected)`);
  const rowBytes = rowLength * elementBytes;
  const rowsPerChunk = Math.max(1, Math.floor((32 * 1024 * 1024) / rowBytes));
  let rowsDone = 0;
  for await (const chunk of file.readChunks(name, rowsPerChunk * rowBytes)) {
    if (rowsDone >= totalRows) break; // rows past the vocabulary (embedding padding) are dropped
    const rows = Math.min(chunk.length / rowBytes, totalRows - rowsDone);
    const values = toFloat32(chunk.subarray(0, rows * rowBytes), info.dtype);
    if (add !== 0) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) + add;
    rowsDone += rows;
    yield encode(values, type);
  }
}

function toFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  const n = bytes.length / (dtype === 'F32' ? 4 : 2);
  if (dtype === 'F32') return new Float32Array(bytes.slice().buffer);
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = (halves[i] as number) << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(halves[i] as number);
  return out;
}

function encode(values: Float32Array, type: GgmlTypeName): Uint8Array {
  switch (type) {
    case 'F32':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case 'F16': {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i] as number);
      return new Uint8Array(out.buffer);
    }
    case 'Q8_0':
      return quantizeQ8_0(values);
    case 'Q4_0':
      return quantizeQ4_0(values);
  }
}

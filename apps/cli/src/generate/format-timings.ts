import type { GenerationOutput } from '@gemma3/pipeline';

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One line: `12 tokens (length) in 1.4 s: prefill 210 ms (40 prompt tokens), decode 1.1 s, 10.3 tokens/s;
 * load 2.0 s, q8 weights` (the weights' dtype when given).
 */
export function formatTimings(output: GenerationOutput, dtype?: string): string {
  const t = output.timings;
  const u = output.usage;
  return (
    `${u.completionTokens} tokens (${output.finishReason}) in ${seconds(t.totalMs)}: ` +
    `prefill ${seconds(t.prefillMs)} (${u.promptTokens} prompt tokens${u.images > 0 ? `, ${u.images} image${u.images > 1 ? 's' : ''}` : ''}), ` +
    `decode ${seconds(t.decodeMs)}, ${t.tokensPerSecond.toFixed(1)} tokens/s; load ${seconds(t.loadMs)}` +
    (dtype === undefined ? '' : `, ${dtype} weights`)
  );
}

/** The `--json` object: snake_case as the rest of the Hugging Face world writes it. */
export function jsonResult(output: GenerationOutput, model: string, task: string, dtype: string) {
  const t = output.timings;
  return {
    model,
    task,
    dtype,
    text: output.text,
    token_ids: output.tokenIds,
    finish_reason: output.finishReason,
    seed: output.seed,
    usage: {
      prompt_tokens: output.usage.promptTokens,
      completion_tokens: output.usage.completionTokens,
      total_tokens: output.usage.totalTokens,
      images: output.usage.images,
    },
    timings: {
      load_ms: round(t.loadMs),
      preprocess_ms: round(t.preprocessMs),
      prefill_ms: round(t.prefillMs),
      decode_ms: round(t.decodeMs),
      total_ms: round(t.totalMs),
      tokens_per_second: round(t.tokensPerSecond),
    },
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

import type { ort } from '@gemma3/onnx';
import type { KvCache } from './cache/kv-cache.js';
import type { DecoderRunner } from './runtime/decoder-runner.js';
import { type ForwardInputs, prepareStep } from './runtime/forward-inputs.js';
import { type LoadedDecoder, type LoadOptions, loadDecoder } from './runtime/load-decoder.js';

export interface TextModelOutput {
  /** [B, T, H] hidden states after the final norm (an onnxruntime tensor: `.data`, `.dims`). */
  lastHiddenState: ort.Tensor;
  pastKeyValues: KvCache;
}

/** Gemma 3 text decoder without the LM head: final-norm hidden states (the reference's Gemma3TextModel). */
export class Gemma3TextModel {
  private constructor(
    private readonly runner: DecoderRunner,
    readonly loaded: Omit<LoadedDecoder, 'runner'>,
  ) {}

  static async fromPretrained(dir: string, options: LoadOptions = {}): Promise<Gemma3TextModel> {
    const { runner, ...loaded } = await loadDecoder(
      dir,
      { output: 'hidden', embedsOverride: false },
      options,
    );
    return new Gemma3TextModel(runner, loaded);
  }

  get config() {
    return this.loaded.config;
  }

  async forward(inputs: ForwardInputs): Promise<TextModelOutput> {
    const { cache, step } = prepareStep(this.runner, inputs, 'all');
    return { lastHiddenState: await this.runner.step(cache, step), pastKeyValues: cache };
  }

  async dispose(): Promise<void> {
    await this.runner.release();
  }
}

import { Gemma3ForConditionalGeneration } from '@gemma3/multimodal-model';
import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { detectModelKind, type ModelKind } from './model-kind.js';
import type { LoadModelOptions } from './pipeline-options.js';
import { resolveModelFolder } from './resolve-model-folder.js';
import { prefillWeightOpsOf, visionWeightOpsOf, weightOpsOf } from './weight-ops.js';

export type Gemma3AnyModel = Gemma3ForCausalLM | Gemma3ForConditionalGeneration;

export interface AutoModelOptions extends LoadModelOptions {
  /**
   * `auto` (default): the class config.json names (gemma3_text -> Gemma3ForCausalLM, gemma3 ->
   * Gemma3ForConditionalGeneration). `text`: Gemma3ForCausalLM, also on a multimodal folder (its
   * text decoder only: no vision tower is built).
   */
  kind?: 'auto' | ModelKind;
}

function loadOptions(options: LoadModelOptions) {
  const weightOps = weightOpsOf(options);
  const prefillWeightOps = prefillWeightOpsOf(options, weightOps);
  return {
    ...(weightOps === undefined ? {} : { weightOps }),
    ...(prefillWeightOps === undefined ? {} : { prefillWeightOps }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.session === undefined ? {} : { session: options.session }),
  };
}

/** Picks the Gemma 3 model class from config.json's model_type and architectures. */
export const AutoModel = {
  /**
   * Loads a local folder or a model id (downloaded through @gemma3/hub). Throws UnsupportedModelError
   * for anything that is not Gemma 3, TaskModelMismatchError never (use `kind` to force text-only).
   */
  async fromPretrained(model: string, options: AutoModelOptions = {}): Promise<Gemma3AnyModel> {
    const dir = await resolveModelFolder(model, options);
    return AutoModel.fromFolder(dir, options);
  },

  /** As fromPretrained, for a folder already resolved. */
  async fromFolder(dir: string, options: AutoModelOptions = {}): Promise<Gemma3AnyModel> {
    const { kind } = await detectModelKind(dir);
    if (kind === 'multimodal' && options.kind !== 'text') {
      const visionWeightOps = visionWeightOpsOf(options);
      return Gemma3ForConditionalGeneration.fromPretrained(dir, {
        ...loadOptions(options),
        ...(visionWeightOps === undefined ? {} : { visionWeightOps }),
        ...(options.imageCacheSize === undefined ? {} : { imageCacheSize: options.imageCacheSize }),
        ...(options.imageCacheBytes === undefined ? {} : { imageCacheBytes: options.imageCacheBytes }),
      });
    }
    return Gemma3ForCausalLM.fromPretrained(dir, loadOptions(options));
  },
};

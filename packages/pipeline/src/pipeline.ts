import { Tokenizer } from '@gemma3/tokenizer';
import { isTransformersJsFolder, TransformersJsCausalLM } from '@gemma3/transformers-js';
import { AutoModel } from './auto-model.js';
import { AutoProcessor } from './auto-processor.js';
import { dtypeOf } from './default-dtype.js';
import { TaskModelMismatchError } from './errors/task-model-mismatch-error.js';
import { UnsupportedTaskError } from './errors/unsupported-task-error.js';
import { Gemma3Pipeline, PIPELINE_TASKS, type PipelineTask } from './gemma3-pipeline.js';
import { detectModelKind } from './model-kind.js';
import type { PipelineOptions } from './pipeline-options.js';
import { resolveModelFolder } from './resolve-model-folder.js';

export type TextGenerationPipeline = Gemma3Pipeline<'text-generation'>;
export type ImageTextToTextPipeline = Gemma3Pipeline<'image-text-to-text'>;

/**
 * The one-call API: resolves `model` (a local folder or a Hugging Face id, through @gemma3/hub), checks
 * it is Gemma 3, loads the model (building its ONNX graphs on first use) and the tokenizer or processor.
 *
 * - `text-generation`: Gemma3ForCausalLM; on a multimodal folder only its text decoder is loaded.
 * - `image-text-to-text`: Gemma3ForConditionalGeneration + Gemma3Processor; needs a multimodal model.
 *
 * A folder in the ONNX layout of transformers.js (`onnx/model*.onnx` or `onnx/decoder_model_merged*`,
 * as `gemma3 convert --format transformers.js` writes) runs its graphs as they are for
 * `text-generation` (@gemma3/transformers-js's `TransformersJsCausalLM`; `dtype` picks the file).
 */
export async function pipeline(
  task: 'text-generation',
  model: string,
  options?: PipelineOptions,
): Promise<TextGenerationPipeline>;
export async function pipeline(
  task: 'image-text-to-text',
  model: string,
  options?: PipelineOptions,
): Promise<ImageTextToTextPipeline>;
export async function pipeline(
  task: PipelineTask,
  model: string,
  options?: PipelineOptions,
): Promise<Gemma3Pipeline>;
export async function pipeline(
  task: PipelineTask,
  model: string,
  options: PipelineOptions = {},
): Promise<Gemma3Pipeline> {
  if (!PIPELINE_TASKS.includes(task)) throw new UnsupportedTaskError(String(task), PIPELINE_TASKS);
  const started = performance.now();
  const dir = await resolveModelFolder(model, options);
  const resolved = performance.now();
  const info = await detectModelKind(dir);
  if (task === 'image-text-to-text' && info.kind !== 'multimodal') {
    throw new TaskModelMismatchError(
      dir,
      task,
      info.modelType,
      'it has no vision tower (use text-generation)',
    );
  }
  const processor =
    task === 'image-text-to-text'
      ? await AutoProcessor.fromFolder(dir, {
          ...(options.imageProcessor === undefined ? {} : { imageProcessor: options.imageProcessor }),
        })
      : undefined;
  const tokenizer = processor?.tokenizer ?? (await Tokenizer.fromPretrained(dir));
  const transformersJs = task === 'text-generation' && (await isTransformersJsFolder(dir));
  // Our own graphs: the dtype given, else DEFAULT_DTYPE (q8); an export folder: the one it names.
  const dtype = transformersJs ? options.dtype : dtypeOf(options.dtype);
  const loadedModel = transformersJs
    ? await TransformersJsCausalLM.fromFolder(dir, {
        ...(options.dtype === undefined
          ? {}
          : { dtype: options.dtype === 'float32' ? 'fp32' : options.dtype }),
        ...(options.session === undefined ? {} : { session: options.session }),
      })
    : await AutoModel.fromFolder(dir, {
        ...options,
        dtype,
        kind: task === 'text-generation' ? 'text' : 'multimodal',
      });
  const loaded = performance.now();
  return new Gemma3Pipeline(
    task,
    dir,
    info,
    loadedModel,
    tokenizer,
    processor,
    {
      resolveMs: resolved - started,
      loadMs: loaded - resolved,
    },
    {
      ...options,
      dtype: loadedModel instanceof TransformersJsCausalLM ? loadedModel.folder.dtype : (dtype ?? 'fp32'),
    },
  );
}

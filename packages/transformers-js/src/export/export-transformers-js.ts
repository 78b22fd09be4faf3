import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Gemma3Config, loadModelConfig, type ModelConfig, textConfigOf } from '@gemma3/config';
import {
  buildVisionGraph,
  checkVisionShapes,
  VisionOutputs,
  visionTensorNames,
} from '@gemma3/multimodal-model';
import { createProgressBar, type GraphBuilder, type ProgressBar, saveModel } from '@gemma3/onnx';
import { createQuantizedWeightOps, type QuantizationSpec } from '@gemma3/quantization';
import {
  buildDecoderGraph,
  checkTextShapes,
  FP32_WEIGHT_OPS,
  textTensorNames,
  type WeightOps,
} from '@gemma3/text-model';
import { openCheckpoint } from '@gemma3/weights';
import { ExportOptionsError } from '../errors/export-options-error.js';
import { ModelFolderError } from '../errors/model-folder-error.js';
import { OutputFolderNotEmptyError } from '../errors/output-folder-not-empty-error.js';
import { buildEmbedTokensGraph } from '../graph/build-embed-tokens-graph.js';
import { wrapDecoderForTransformersJs } from '../graph/wrap-decoder.js';
import {
  dataFileName,
  EXPORT_DTYPES,
  type ExportDtype,
  ONNX_SUBFOLDER,
  onnxFileName,
  SessionFiles,
} from '../layout.js';
import { copyCheckpointFiles, writeConfig } from './write-configs.js';

export interface ExportOptions {
  /** `fp32`, `q8` (`*_quantized.onnx`) or `q4` (`*_q4.onnx`), as transformers.js names them. */
  dtype: ExportDtype;
  /** Overrides of the dtype's block quantization (`@gemma3/quantization`'s spec; q8/q4 only). */
  quantization?: Partial<QuantizationSpec>;
  /** Multimodal checkpoints: leave out `vision_encoder` (transformers.js then loads it text-only). */
  textOnly?: boolean;
  /** Progress bars on stderr while writing (default: when stderr is a terminal). */
  progress?: boolean;
  /** Replace an existing export in `outDir` (its `onnx/` folder is removed first). Default false. */
  overwrite?: boolean;
}

export interface ExportedGraph {
  /** transformers.js's session name (`model`, `embed_tokens`, `decoder_model_merged`, `vision_encoder`). */
  session: string;
  /** Relative to the output folder, e.g. `onnx/model_q4.onnx`. */
  file: string;
  /** Relative path of its external data, or undefined when every tensor fit inline. */
  dataFile: string | undefined;
  externalBytes: number;
}

export interface ExportResult {
  outDir: string;
  modelType: 'gemma3_text' | 'gemma3';
  dtype: ExportDtype;
  graphs: ExportedGraph[];
  /** Files copied from the checkpoint (tokenizer, generation and processor configs). */
  copied: string[];
  ms: number;
}

async function checkOptions(modelDir: string, outDir: string, options: ExportOptions): Promise<void> {
  if (!EXPORT_DTYPES.includes(options.dtype)) {
    throw new ExportOptionsError('dtype', options.dtype, `expected one of ${EXPORT_DTYPES.join(', ')}`);
  }
  if (options.quantization !== undefined && options.dtype === 'fp32') {
    throw new ExportOptionsError('quantization', options.quantization, 'only applies to dtype q8 or q4');
  }
  const folder = await stat(modelDir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new ModelFolderError(modelDir, 'no such folder');
  if (!(await stat(join(modelDir, 'config.json')).catch(() => undefined))?.isFile()) {
    throw new ModelFolderError(modelDir, 'no config.json in the folder');
  }
  if (resolve(modelDir) === resolve(outDir)) {
    throw new ExportOptionsError('outDir', outDir, 'must differ from the checkpoint folder');
  }
  const entries = await readdir(outDir).catch(() => [] as string[]);
  if (entries.length > 0 && options.overwrite !== true) throw new OutputFolderNotEmptyError(outDir, entries);
}

function weightOpsFor(options: ExportOptions): WeightOps {
  if (options.dtype === 'fp32') return FP32_WEIGHT_OPS;
  return createQuantizedWeightOps({
    dtype: options.dtype,
    ...(options.quantization ? { quantization: options.quantization } : {}),
  });
}

/**
 * Writes `outDir` in the layout transformers.js 4.3.2 loads (`onnx/*.onnx` + `*.onnx_data`,
 * config.json with a `transformers.js_config`, generation/tokenizer/processor files copied), building
 * every graph with our builders: the decoder of `@gemma3/text-model` (quantized through
 * `@gemma3/quantization`'s WeightOps) wrapped in transformers.js's inputs and outputs, and the vision
 * tower of `@gemma3/multimodal-model`. Tensors stream from the safetensors one at a time.
 */
export async function exportTransformersJs(
  modelDir: string,
  outDir: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const started = performance.now();
  await checkOptions(modelDir, outDir, options);
  let modelConfig: ModelConfig;
  try {
    modelConfig = await loadModelConfig(modelDir);
  } catch (cause) {
    throw new ModelFolderError(
      modelDir,
      `config.json is not a Gemma 3 config: ${(cause as Error).message}`,
      cause,
    );
  }
  const text = textConfigOf(modelConfig);
  const multimodal = modelConfig.model_type === 'gemma3';
  const showProgress = options.progress ?? process.stderr.isTTY === true;

  const onnxDir = join(outDir, ONNX_SUBFOLDER);
  if (options.overwrite) await rm(onnxDir, { recursive: true, force: true });
  await mkdir(onnxDir, { recursive: true });

  const graphs: ExportedGraph[] = [];
  const save = async (session: string, base: string, g: GraphBuilder) => {
    const file = onnxFileName(base, options.dtype);
    let bar: ProgressBar | undefined;
    const saved = await saveModel(g, onnxDir, {
      modelFile: file,
      dataFile: dataFileName(file),
      metadata: { source: modelDir, exporter: '@gemma3/transformers-js', dtype: options.dtype },
      onProgress: showProgress
        ? (done, total) => {
            bar ??= createProgressBar({ label: `writing ${file}`, total });
            bar.update(done);
          }
        : undefined,
    });
    bar?.finish();
    if (saved.dataPath === undefined) await rm(join(onnxDir, dataFileName(file)), { force: true });
    graphs.push({
      session,
      file: `${ONNX_SUBFOLDER}/${file}`,
      dataFile: saved.dataPath === undefined ? undefined : `${ONNX_SUBFOLDER}/${dataFileName(file)}`,
      externalBytes: saved.externalBytes,
    });
  };

  const checkpoint = await openCheckpoint(modelDir);
  try {
    const names = textTensorNames(checkpoint);
    await checkTextShapes(checkpoint, text, names);
    if (!multimodal) {
      const g = buildDecoderGraph(
        text,
        names,
        checkpoint,
        { output: 'logits', embedsOverride: false },
        weightOpsFor(options),
      );
      await save(SessionFiles.model, SessionFiles.model, wrapDecoderForTransformersJs(g, text, 'input_ids'));
    } else {
      const config = modelConfig as Gemma3Config;
      await save(
        SessionFiles.embedTokens,
        SessionFiles.embedTokens,
        buildEmbedTokensGraph(text, names.embed, checkpoint, weightOpsFor(options)),
      );
      const g = buildDecoderGraph(
        text,
        names,
        checkpoint,
        { output: 'logits', embedsOverride: true },
        weightOpsFor(options),
      );
      await save(
        SessionFiles.decoder,
        SessionFiles.decoder,
        wrapDecoderForTransformersJs(g, text, 'inputs_embeds'),
      );
      if (options.textOnly !== true) {
        const visionNames = visionTensorNames(checkpoint);
        await checkVisionShapes(checkpoint, config, visionNames);
        // Plain-op attention (default domain only) so that every onnxruntime build runs it; float32.
        const vision = buildVisionGraph(config, visionNames, checkpoint, { attention: 'ops' });
        vision.removeOutput(VisionOutputs.lastHiddenState);
        await save(SessionFiles.visionEncoder, SessionFiles.visionEncoder, vision);
      }
    }
  } finally {
    await checkpoint.close();
  }

  const externalData = Object.fromEntries(
    graphs.map((g) => [g.file.slice(ONNX_SUBFOLDER.length + 1), g.dataFile === undefined ? 0 : 1]),
  );
  await writeConfig(modelDir, outDir, text, options.dtype, externalData);
  const copied = await copyCheckpointFiles(modelDir, outDir);
  return {
    outDir,
    modelType: multimodal ? 'gemma3' : 'gemma3_text',
    dtype: options.dtype,
    graphs,
    copied,
    ms: performance.now() - started,
  };
}

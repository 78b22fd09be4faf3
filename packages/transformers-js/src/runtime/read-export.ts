import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelConfig, parseModelConfig } from '@gemma3/config';
import { ExportLayoutError } from '../errors/export-layout-error.js';
import { ExportOptionsError } from '../errors/export-options-error.js';
import { EXPORT_DTYPES, type ExportDtype, ONNX_SUBFOLDER, onnxFileName, SessionFiles } from '../layout.js';

export interface ExportFolder {
  dir: string;
  modelConfig: ModelConfig;
  dtype: ExportDtype;
  /** Absolute paths of the graphs our loader runs. */
  files: { decoder: string; embedTokens: string | undefined; visionEncoder: string | undefined };
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** Whether `dir` looks like a transformers.js export of a Gemma 3 model (config.json + onnx/ graphs). */
export async function isTransformersJsFolder(dir: string): Promise<boolean> {
  if (!(await isFile(join(dir, 'config.json')))) return false;
  for (const base of [SessionFiles.model, SessionFiles.decoder]) {
    for (const dtype of EXPORT_DTYPES) {
      if (await isFile(join(dir, ONNX_SUBFOLDER, onnxFileName(base, dtype)))) return true;
    }
  }
  return false;
}

/**
 * Reads an export's config.json and finds its graphs for `dtype` (default: the config's
 * `transformers.js_config.dtype`, else fp32). Text-only checkpoints: `onnx/model*.onnx`; multimodal:
 * `embed_tokens*` + `decoder_model_merged*` (+ `vision_encoder*` when present).
 */
export async function readExportFolder(dir: string, dtype?: ExportDtype): Promise<ExportFolder> {
  const configPath = join(dir, 'config.json');
  if (!(await isFile(configPath))) throw new ExportLayoutError(dir, 'no config.json', 'config.json');
  const raw = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const tjs = (raw['transformers.js_config'] ?? {}) as { dtype?: unknown };
  const chosen = dtype ?? (typeof tjs.dtype === 'string' ? tjs.dtype : 'fp32');
  if (!EXPORT_DTYPES.includes(chosen as ExportDtype)) {
    throw new ExportOptionsError('dtype', chosen, `expected one of ${EXPORT_DTYPES.join(', ')}`);
  }
  const d = chosen as ExportDtype;
  const modelConfig = parseModelConfig(raw, configPath);
  const path = (base: string) => join(dir, ONNX_SUBFOLDER, onnxFileName(base, d));
  const need = async (base: string) => {
    const file = path(base);
    if (!(await isFile(file))) {
      throw new ExportLayoutError(
        dir,
        `no ${d} graph (export with dtype ${d})`,
        `${ONNX_SUBFOLDER}/${onnxFileName(base, d)}`,
      );
    }
    return file;
  };
  if (modelConfig.model_type === 'gemma3') {
    const vision = path(SessionFiles.visionEncoder);
    return {
      dir,
      modelConfig,
      dtype: d,
      files: {
        decoder: await need(SessionFiles.decoder),
        embedTokens: await need(SessionFiles.embedTokens),
        visionEncoder: (await isFile(vision)) ? vision : undefined,
      },
    };
  }
  return {
    dir,
    modelConfig,
    dtype: d,
    files: { decoder: await need(SessionFiles.model), embedTokens: undefined, visionEncoder: undefined },
  };
}

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxSession } from '@gemma3/onnx';
import { checkpointDir, loadManifest } from '@gemma3/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { ExportOptionsError } from '../errors/export-options-error.js';
import { ModelFolderError } from '../errors/model-folder-error.js';
import { OutputFolderNotEmptyError } from '../errors/output-folder-not-empty-error.js';
import { TjsInputs, TjsOutputs } from '../layout.js';
import { exportTransformersJs } from './export-transformers-js.js';

const root = await mkdtemp(join(tmpdir(), 'gemma3-tjs-export-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const tinyText = checkpointDir(loadManifest('tiny-text'));
const tinyVlm = checkpointDir(loadManifest('tiny-vlm'));
/** The graphs and external data in `dir/onnx` (side files @gemma3/onnx may write beside them aside). */
const onnxFiles = async (dir: string) =>
  (await readdir(join(dir, 'onnx'))).filter((f) => f.endsWith('.onnx') || f.endsWith('.onnx_data')).sort();

describe('exportTransformersJs: the layout written', () => {
  test('text: onnx/model.onnx + model.onnx_data, transformers.js IO names, config with transformers.js_config', async () => {
    const out = join(root, 'text');
    const result = await exportTransformersJs(tinyText, out, { dtype: 'fp32', progress: false });
    expect(result.modelType).toBe('gemma3_text');
    expect(result.graphs).toEqual([
      {
        session: 'model',
        file: 'onnx/model.onnx',
        dataFile: 'onnx/model.onnx_data',
        externalBytes: expect.any(Number),
      },
    ]);
    expect((await readdir(out)).sort()).toEqual(['config.json', 'generation_config.json', 'onnx']);
    expect(await onnxFiles(out)).toEqual(['model.onnx', 'model.onnx_data']);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('gemma3_text');
    expect(config['transformers.js_config']).toEqual({
      dtype: 'fp32',
      use_external_data_format: { 'model.onnx': 1 },
    });
    const session = await OnnxSession.create(join(out, 'onnx', 'model.onnx'));
    try {
      const layers = config.num_hidden_layers as number;
      expect([...session.inputNames].sort()).toEqual(
        [
          TjsInputs.inputIds,
          TjsInputs.attentionMask,
          TjsInputs.positionIds,
          TjsInputs.numLogitsToKeep,
          ...Array.from({ length: layers }, (_, i) => [TjsInputs.pastKey(i), TjsInputs.pastValue(i)]).flat(),
        ].sort(),
      );
      expect([...session.outputNames].sort()).toEqual(
        [
          TjsOutputs.logits,
          ...Array.from({ length: layers }, (_, i) => [
            TjsOutputs.presentKey(i),
            TjsOutputs.presentValue(i),
          ]).flat(),
        ].sort(),
      );
    } finally {
      await session.release();
    }
  });

  test('multimodal: sparse text_config filled in; q8 files carry the _quantized suffix; textOnly leaves out vision', async () => {
    const out = join(root, 'vlm-q8');
    const result = await exportTransformersJs(tinyVlm, out, { dtype: 'q8', textOnly: true, progress: false });
    expect(result.graphs.map((g) => g.file)).toEqual([
      'onnx/embed_tokens_quantized.onnx',
      'onnx/decoder_model_merged_quantized.onnx',
    ]);
    expect(result.copied.sort()).toEqual([
      'generation_config.json',
      'preprocessor_config.json',
      'processor_config.json',
    ]);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('gemma3');
    expect(config.image_token_index).toBe(512);
    // The fixture's text_config names neither rms_norm_eps nor layer_types; the export fills what
    // transformers.js reads without defaults.
    expect(config.text_config).toMatchObject({ num_key_value_heads: 1, num_hidden_layers: 6, head_dim: 16 });
    expect(config.text_config.layer_types).toHaveLength(6);
  });
});

describe('exportTransformersJs: bad inputs are typed errors', () => {
  test('missing checkpoint folder, folder without config.json', async () => {
    await expect(
      exportTransformersJs(join(root, 'missing'), join(root, 'o1'), { dtype: 'fp32' }),
    ).rejects.toThrow(ModelFolderError);
    const empty = join(root, 'empty-checkpoint');
    await mkdir(empty, { recursive: true });
    const err = await exportTransformersJs(empty, join(root, 'o2'), { dtype: 'fp32' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFolderError);
    expect((err as ModelFolderError).message).toMatch(/config\.json/);
  });

  test('unknown dtype, quantization with fp32, output = checkpoint folder', async () => {
    const bad = await exportTransformersJs(tinyText, join(root, 'o3'), { dtype: 'q3' as 'q4' }).catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(ExportOptionsError);
    expect((bad as ExportOptionsError).option).toBe('dtype');
    await expect(
      exportTransformersJs(tinyText, join(root, 'o4'), { dtype: 'fp32', quantization: { blockSize: 64 } }),
    ).rejects.toThrow(ExportOptionsError);
    await expect(exportTransformersJs(tinyText, tinyText, { dtype: 'fp32' })).rejects.toThrow(
      ExportOptionsError,
    );
  });

  test('an existing non-empty output folder is refused unless overwrite', async () => {
    const out = join(root, 'occupied');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'notes.txt'), 'mine');
    const err = await exportTransformersJs(tinyText, out, { dtype: 'fp32', progress: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutputFolderNotEmptyError);
    expect((err as OutputFolderNotEmptyError).entries).toEqual(['notes.txt']);
    await exportTransformersJs(tinyText, out, { dtype: 'q4', progress: false, overwrite: true });
    expect(await onnxFiles(out)).toEqual(['model_q4.onnx', 'model_q4.onnx_data']); // the fp32 files are gone
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine'); // only the export is replaced
  });
});

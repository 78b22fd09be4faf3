import { join } from 'node:path';
import { AutoModel, detectModelKind, dtypeOf, resolveModelFolder } from '@gemma3/pipeline';
import { exportTransformersJs } from '@gemma3/transformers-js';
import type { Command } from '../command.js';
import { UsageError } from '../errors/usage-error.js';
import { DTYPE_HELP, DTYPE_OPTIONS, dtypeOptions } from '../generate/dtype-flags.js';
import { seconds } from '../generate/format-timings.js';
import { requireString } from '../generate/generation-flags.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Build and cache the ONNX graphs of a model ahead of time, or export them for transformers.js',
  help: `Usage: gemma3 convert --model M [--text-only] [--dtype fp32|q8|q4] [--cache-dir DIR] [--revision REV]
       gemma3 convert --model M --format transformers.js --out DIR [--dtype fp32|q8|q4] [--text-only] [--overwrite]

Default (--format onnx-cache): builds the model's ONNX graphs from its safetensors (in --dtype; default
q8, the one gemma3 run / chat / serve load) into the graph cache, with a progress bar, so that the first
\`gemma3 run\` / \`chat\` starts at once. Running it again finds the cached graphs. Multimodal models get the text decoder (with image embeddings) and the
vision encoder.

--format transformers.js writes DIR in the layout transformers.js (@huggingface/transformers 4.3.2) loads:
onnx/model{,_quantized,_q4}.onnx (text) or onnx/embed_tokens, decoder_model_merged, vision_encoder
(multimodal), config.json, generation/tokenizer/processor files. Load it with
AutoModelForCausalLM.from_pretrained(DIR, { dtype }) or with gemma3 run --model DIR.

Options:
  --model M          local folder with config.json, or a Hugging Face model id (downloaded if needed)
  --format F         onnx-cache (default) or transformers.js
  --out DIR          output folder of --format transformers.js (must be empty unless --overwrite)
  --overwrite        replace the export in --out
  --text-only        only the text decoder (what --task text-generation loads)
  --cache-dir DIR    folder of built ONNX graphs (default $GEMMA3_CACHE_DIR or ~/.cache/gemma3)
  --revision REV     branch, tag or commit for a model id (default main)
${DTYPE_HELP}
  --verbose          stack traces on errors
  -h, --help         show this help

Exit codes: 0 built (or already cached), 1 failed, 2 bad command line.
`,
  options: {
    model: { type: 'string' },
    'text-only': { type: 'boolean' },
    'cache-dir': { type: 'string' },
    revision: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
    ...DTYPE_OPTIONS,
  },
  async run({ values, io }) {
    const model = requireString(values, 'model', 'convert');
    const format = values.format ?? 'onnx-cache';
    if (format !== 'onnx-cache' && format !== 'transformers.js') {
      throw new UsageError(
        `--format must be onnx-cache or transformers.js, got "${String(format)}"`,
        'convert',
      );
    }
    if (format === 'onnx-cache' && (values.out !== undefined || values.overwrite !== undefined)) {
      throw new UsageError('--out and --overwrite need --format transformers.js', 'convert');
    }
    const out = format === 'transformers.js' ? requireString(values, 'out', 'convert') : '';
    const options = {
      progress: true,
      ...dtypeOptions(values, 'convert'),
      ...(typeof values['cache-dir'] === 'string' ? { cacheDir: values['cache-dir'] } : {}),
      ...(typeof values.revision === 'string' ? { hub: { revision: values.revision } } : {}),
    };
    const started = performance.now();
    const dir = await resolveModelFolder(model, options);
    if (format === 'transformers.js') {
      io.stderr.write(`Exporting ${dir} to ${out} (transformers.js layout, ${options.dtype ?? 'fp32'})\n`);
      const result = await exportTransformersJs(dir, out, {
        dtype: options.dtype === undefined || options.dtype === 'float32' ? 'fp32' : options.dtype,
        ...(options.quantization ? { quantization: options.quantization } : {}),
        textOnly: values['text-only'] === true,
        overwrite: values.overwrite === true,
        progress: io.stderr.isTTY === true,
      });
      const lines = result.graphs.map((g) => `${g.session.padEnd(20)} ${join(out, g.file)}`);
      io.stdout.write(`${lines.join('\n')}\nExported in ${seconds(performance.now() - started)}\n`);
      return 0;
    }
    const info = await detectModelKind(dir);
    // The dtype `gemma3 run` / `chat` / `serve` load unless told otherwise, so they find it built.
    const dtype = dtypeOf(options.dtype);
    io.stderr.write(`Building ONNX graphs for ${dir} (${info.modelType}, ${dtype} weights)\n`);
    const loaded = await AutoModel.fromFolder(dir, {
      ...options,
      dtype,
      kind: values['text-only'] === true ? 'text' : 'auto',
    });
    try {
      const lines =
        'details' in loaded
          ? [
              `decoder ${loaded.details.decoderPath} (${loaded.details.decoderCacheHit ? 'cached' : 'built'})`,
              `vision  ${loaded.details.visionPath} (${loaded.details.visionCacheHit ? 'cached' : 'built'})`,
            ]
          : [`decoder ${loaded.loaded.modelPath} (${loaded.loaded.cacheHit ? 'cached' : 'built'})`];
      io.stdout.write(`${lines.join('\n')}\nReady in ${seconds(performance.now() - started)}\n`);
    } finally {
      await loaded.dispose();
    }
    return 0;
  },
};

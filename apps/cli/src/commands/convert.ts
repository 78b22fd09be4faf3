import { AutoModel, detectModelKind, resolveModelFolder } from '@gemma3/pipeline';
import type { Command } from '../command.js';
import { DTYPE_HELP, DTYPE_OPTIONS, dtypeOptions } from '../generate/dtype-flags.js';
import { seconds } from '../generate/format-timings.js';
import { requireString } from '../generate/generation-flags.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Build and cache the ONNX graphs of a model ahead of time',
  help: `Usage: gemma3 convert --model M [--text-only] [--dtype fp32|q8|q4] [--cache-dir DIR] [--revision REV]

Builds the model's ONNX graphs from its safetensors (in --dtype) into the graph cache, with a progress bar,
so that the first \`gemma3 run\` / \`chat\` starts at once. Running it again finds the cached graphs.
Multimodal models get the text decoder (with image embeddings) and the vision encoder.

Options:
  --model M          local folder with config.json, or a Hugging Face model id (downloaded if needed)
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
    ...DTYPE_OPTIONS,
  },
  async run({ values, io }) {
    const model = requireString(values, 'model', 'convert');
    const options = {
      progress: true,
      ...dtypeOptions(values, 'convert'),
      ...(typeof values['cache-dir'] === 'string' ? { cacheDir: values['cache-dir'] } : {}),
      ...(typeof values.revision === 'string' ? { hub: { revision: values.revision } } : {}),
    };
    const started = performance.now();
    const dir = await resolveModelFolder(model, options);
    const info = await detectModelKind(dir);
    io.stderr.write(`Building ONNX graphs for ${dir} (${info.modelType})\n`);
    const loaded = await AutoModel.fromFolder(dir, {
      ...options,
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

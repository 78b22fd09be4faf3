import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

/**
 * A fenced TypeScript / JavaScript block of a README. `id` is `FILE: FIRST LINE` (its first non-empty
 * line; ` #2`, ... appended when a file has two blocks that start alike), so a block inserted before
 * another does not shift its id, and a block whose first line changes needs its plan looked at again.
 */
export interface ReadmeBlock {
  id: string;
  file: string;
  code: string;
}

/** The READMEs whose code blocks are checked: the root's, examples/'s, and every package's and app's. */
export function readmeFiles(): string[] {
  const files = ['README.md', 'examples/README.md'];
  for (const parent of ['packages', 'apps']) {
    for (const name of readdirSync(join(REPO_ROOT, parent)).sort()) {
      const readme = join(parent, name, 'README.md');
      try {
        readFileSync(join(REPO_ROOT, readme));
        files.push(readme);
      } catch {}
    }
  }
  return files;
}

const FENCE = /^```(ts|typescript|js|javascript|mjs|mts|tsx)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;

export function readmeBlocks(): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const file of readmeFiles()) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const seen = new Map<string, number>();
    for (const match of text.matchAll(FENCE)) {
      const code = match[2]!;
      const first =
        code
          .split('\n')
          .find((line) => line.trim() !== '')
          ?.trim() ?? '';
      const count = (seen.get(first) ?? 0) + 1;
      seen.set(first, count);
      blocks.push({ id: `${file}: ${first}${count > 1 ? ` #${count}` : ''}`, file, code });
    }
  }
  return blocks;
}

/**
 * How a block runs. It is written, as it is apart from `substitutions`, to `DIR/.readme-examples/`
 * (so its imports resolve as in that package: its own name and its dependencies) after a prelude
 * that defines, for every block:
 *   TINY_TEXT, TINY_VLM: the tiny random checkpoints (real tokenizer) the test creates;
 *   SUNSET: examples/assets/sunset.png; TMP: an empty temp folder of its own.
 * and the plan's own `prelude` (values a fragment takes as given: `ids`, `cacheDir`, ...). `after`
 * runs last (closing what the prelude opened). Every `substitutions` pair must match the block, so
 * a substitution that no longer applies fails the test instead of silently doing nothing.
 */
export interface RunPlan {
  dir: string;
  substitutions?: readonly (readonly [from: string, to: string])[];
  prelude?: string;
  after?: string;
}

/** A block that cannot run here, and why. */
export interface SkipPlan {
  skip: string;
}

export type BlockPlan = RunPlan | SkipPlan;

// Real hub ids and /models/ paths stand for a model the reader has; here the tiny checkpoint of the
// same kind (multimodal for gemma-3-4b-it, text for gemma-3-1b-it) takes their place.
const VLM_ID: [string, string] = ["'google/gemma-3-4b-it'", 'TINY_VLM'];
const VLM_DIR: [string, string] = ["'/models/gemma-3-4b-it'", 'TINY_VLM'];
const TEXT_DIR: [string, string] = ["'/models/gemma-3-1b-it'", 'TINY_TEXT'];

// `model`, `tokenizer`, `promptIds`, `generationConfig` of the generation README: the package's
// deterministic fake model (its tests' CausalLanguageModel), the real tokenizer, a prompt, tiny-text's
// generation_config.json.
const GENERATION_PRELUDE = `import { loadGenerationConfig } from '@gemma3/config';
import { Tokenizer } from '@gemma3/tokenizer';
import { FakeModel } from '../src/test-utils/fake-model.ts';
const tokenizer = await Tokenizer.fromPretrained(TINY_TEXT);
// Counts up from id 1000, then ends its turn (<end_of_turn>, 106) after 12 tokens in all (sampling too:
// the logit of 100 leaves the others no chance).
const model = new FakeModel({ vocabSize: tokenizer.vocabSize, speculative: true, next: (sequence) => { const logits = new Float32Array(tokenizer.vocabSize); logits[sequence.length > 12 ? 106 : 1000 + sequence.length] = 100; return logits; } });
const promptIds = tokenizer.encode('Hello there');
const generationConfig = await loadGenerationConfig(TINY_TEXT);`;

// `inputIds`, `attentionMask`, `tokenTypeIds`, `pixelValues`, `positionIds`, `cacheDir`, `dir` of the
// multimodal README: the processor's output for one image, a cache folder, the same model.
const MULTIMODAL_PRELUDE = `import { Gemma3Processor } from '@gemma3/processor';
const cacheDir = \`\${TMP}/onnx\`;
const dir = TINY_VLM;
const processor = await Gemma3Processor.fromPretrained(TINY_VLM);
const prompt = await processor.process('A <start_of_image> b', [SUNSET]);
const { inputIds, attentionMask, tokenTypeIds, pixelValues } = prompt;
const positionIds = [inputIds[0].map((_, i) => i)];`;

/** Every block of every README, by id. A block with no entry here fails the test. */
export const README_BLOCKS: Record<string, BlockPlan> = {
  "README.md: import { pipeline } from '@gemma3/pipeline';": {
    dir: 'packages/pipeline',
    substitutions: [VLM_ID, ["path: 'photo.jpg'", 'path: SUNSET']],
  },
  "packages/pipeline/README.md: import { pipeline } from '@gemma3/pipeline';": {
    dir: 'packages/pipeline',
    substitutions: [
      VLM_ID,
      // The test machine has no network: the URL becomes the committed image's file:// URL.
      ["url: 'https://example.com/cat.jpg'", 'url: "file://" + SUNSET'],
      ["'./gemma-3-1b-it'", 'TINY_TEXT'],
    ],
  },
  "packages/pipeline/README.md: const generator = await pipeline('text-generation', '/models/gemma-3-1b-it', {":
    {
      dir: 'packages/pipeline',
      substitutions: [TEXT_DIR],
      // A fragment after the README's first block: its import too.
      prelude: "import { pipeline } from '@gemma3/pipeline';",
      after: 'await generator.dispose();',
    },
  "packages/config/README.md: import { loadModelConfig, loadGenerationConfig, textConfigOf } from '@gemma3/config';":
    {
      dir: 'packages/config',
      substitutions: [
        ["loadModelConfig('/models/gemma-3-4b-it')", 'loadModelConfig(TINY_VLM)'],
        ["loadGenerationConfig('/models/gemma-3-4b-it', config)", 'loadGenerationConfig(TINY_VLM, config)'],
      ],
    },
  "packages/errors/README.md: import { Gemma3Error } from '@gemma3/errors';": { dir: 'packages/errors' },
  "packages/generation/README.md: import { generate, TextStreamer } from '@gemma3/generation';": {
    dir: 'packages/generation',
    prelude: GENERATION_PRELUDE,
  },
  'packages/generation/README.md: interface CausalLanguageModel<TExtra = undefined> {': {
    skip: 'type declarations only (the interfaces a model implements)',
  },
  'packages/generation/README.md: const result = await generate(model, {': {
    dir: 'packages/generation',
    // A fragment of the README's first block: its import too.
    prelude: `import { generate } from '@gemma3/generation';\n${GENERATION_PRELUDE}`,
  },
  "packages/generation/README.md: import { ContinuousBatcher, PrefixCache } from '@gemma3/generation';": {
    dir: 'packages/pipeline', // the prelude loads a model of @gemma3/text-model, a dependency of pipeline
    // `model`, `generationConfig`, `inputIds`, `streamer`, `signal`, `stopStrings`, `decode`: the reader's.
    prelude: `import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { Tokenizer } from '@gemma3/tokenizer';
const model = await Gemma3ForCausalLM.fromPretrained(TINY_TEXT, { cacheDir: TMP + '/onnx' });
const tokenizer = await Tokenizer.fromPretrained(TINY_TEXT);
const generationConfig = model.generationConfig;
const inputIds = tokenizer.encode('Hello there'); // one row
const streamer = undefined;
const signal = AbortSignal.timeout(60_000);
const stopStrings = ['\\nUser:'];
const decode = (ids: readonly number[]) => tokenizer.decode(ids);`,
    after: 'await batcher.close();\nawait model.dispose();',
  },
  "packages/generation/README.md: import { compileJsonSchemaGrammar, generate, TokenVocabulary } from '@gemma3/generation';":
    {
      dir: 'packages/generation',
      // `pieces` and `schema` are the reader's: each id's piece (null for special tokens), a small schema.
      prelude: `${GENERATION_PRELUDE}
const pieces = Array.from({ length: tokenizer.vocabSize }, (_, id) => {
  const piece = tokenizer.idToToken(id);
  return tokenizer.isSpecialToken(piece) ? null : piece;
});
const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };`,
    },
  "packages/gguf/README.md: import { convertToGguf, loadGemma3Vocab, readGgufHeader } from '@gemma3/gguf';": {
    dir: 'packages/gguf',
    substitutions: [
      TEXT_DIR,
      ["'/tmp/gemma-3-1b-Q4_0.gguf', { type", 'TMP + "/gemma-3-1b-Q4_0.gguf", { type'],
      ["readGgufHeader('/tmp/gemma-3-1b-Q4_0.gguf')", 'readGgufHeader(TMP + "/gemma-3-1b-Q4_0.gguf")'],
    ],
  },
  "packages/hub/README.md: import { createProgressBar, resolveModel } from '@gemma3/hub';": {
    skip: "downloads from huggingface.co (no network here); resolveModel runs against a hub-shaped loopback server in the hub package's tests and pipeline's hub-model-id.test.ts",
  },
  "packages/image-processor/README.md: import { Gemma3ImageProcessor, Gemma3ImageProcessorFast } from '@gemma3/image-processor';":
    {
      dir: 'packages/image-processor',
      substitutions: [
        VLM_DIR,
        ["'cat.jpg'", 'SUNSET'],
        ["'data:image/png;base64,...'", '"data:image/png;base64," + pngBuffer.toString("base64")'],
      ],
      prelude: "import { readFileSync as readImage } from 'node:fs';\nconst pngBuffer = readImage(SUNSET);",
    },
  "packages/multimodal-model/README.md: import { Gemma3ForConditionalGeneration, Gemma3Model } from '@gemma3/multimodal-model';":
    {
      dir: 'packages/pipeline', // the prelude uses @gemma3/processor, a dependency of pipeline (not of this package)
      substitutions: [
        VLM_DIR,
        // The README writes the tensor's type and shape in place of a value.
        ['pixelValues: { data: Float32Array, dims: [N, 3, 896, 896] },', 'pixelValues,'],
      ],
      prelude: MULTIMODAL_PRELUDE,
    },
  'packages/multimodal-model/README.md: const inputs = await processor.applyChatTemplate(messages, { addGenerationPrompt: true }); // inputIds, attentionMask, tokenTypeIds, pixelValues':
    {
      dir: 'packages/pipeline',
      // A fragment of the README's first block: its import and model too.
      prelude: `import { Gemma3ForConditionalGeneration } from '@gemma3/multimodal-model';
${MULTIMODAL_PRELUDE}
const model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, { cacheDir });
const messages = [{ role: 'user', content: [{ type: 'image', path: SUNSET }, { type: 'text', text: 'What is this?' }] }];`,
      after: 'await model.dispose();',
    },
  "packages/onnx/README.md: import { GraphBuilder, attr, saveModel, OnnxSession, tensor, getOrBuild, cacheKey } from '@gemma3/onnx';":
    {
      dir: 'packages/onnx',
      // The README's `loadWeights()`, `bar`, `dir` and `data` are the reader's: 3 x 4 weights, a no-op
      // progress bar, a temp folder, a [2, 3] input.
      prelude: `const loadWeights = () => new Float32Array(12).fill(0.5);
const bar = { update: (_done: number) => {} };
const dir = TMP;
const data = Float32Array.from([1, 2, 3, 4, 5, 6]);`,
      after: "if (out.y?.dims.join() !== '2,4') throw new Error('unexpected output dims ' + out.y?.dims);",
    },
  "packages/pipeline/README.md: const generator = await pipeline('text-generation', 'google/gemma-3-1b-it');":
    {
      dir: 'packages/pipeline',
      substitutions: [
        ["'google/gemma-3-1b-it'", 'TINY_TEXT'],
        // Random weights never choose a tool on their own: 'required' (one of the choices the line
        // lists) makes the call that the next lines answer; the tiny model writes its arguments
        // slowly (long strings), so the call gets more than the default 20 new tokens to finish.
        ["toolChoice: 'auto',", "toolChoice: 'required', maxNewTokens: 200,"],
      ],
      // A fragment after the README's first block: its import too.
      prelude: "import { pipeline } from '@gemma3/pipeline';",
      after: 'await generator.dispose();',
    },
  "packages/processor/README.md: import { Gemma3Processor } from '@gemma3/processor';": {
    dir: 'packages/processor',
    substitutions: [
      VLM_DIR,
      ["path: 'cat.jpg'", 'path: SUNSET'],
      ["'Describe <start_of_image> briefly.', ['cat.jpg']", "'Describe <start_of_image> briefly.', [SUNSET]"],
    ],
    prelude: 'const [img1, img2, img3] = [SUNSET, SUNSET, SUNSET];',
  },
  "packages/quantization/README.md: import { Gemma3ForCausalLM } from '@gemma3/text-model';": {
    dir: 'packages/quantization',
    substitutions: [TEXT_DIR],
  },
  "packages/random-checkpoint/README.md: import { createRandomCheckpoint } from '@gemma3/random-checkpoint';":
    {
      dir: 'packages/random-checkpoint',
      substitutions: [["outDir: './models/tiny-vlm'", 'outDir: TMP + "/tiny-vlm"']],
    },
  "packages/text-model/README.md: import { Gemma3ForCausalLM, Gemma3TextModel } from '@gemma3/text-model';": {
    dir: 'packages/text-model',
    substitutions: [TEXT_DIR],
    // `cacheDir`, `dir` and `ids` are the reader's: a cache folder, the same model, a prompt.
    prelude: 'const cacheDir = TMP + "/onnx";\nconst dir = TINY_TEXT;\nconst ids = [2, 651, 6037, 563];',
  },
  "packages/tokenizer/README.md: import { Tokenizer } from '@gemma3/tokenizer';": {
    dir: 'packages/tokenizer',
    substitutions: [VLM_DIR],
    prelude: 'const generatedIds = [9259, 1902, 236888, 106];',
  },
  "packages/transformers-js/README.md: import { exportTransformersJs, TransformersJsCausalLM } from '@gemma3/transformers-js';":
    {
      dir: 'packages/transformers-js',
      substitutions: [
        [
          "exportTransformersJs('/models/gemma-3-1b-it', '/models/gemma-3-1b-it-tjs'",
          'exportTransformersJs(TINY_TEXT, OUT',
        ],
        ["from_pretrained('/models/gemma-3-1b-it-tjs'", 'from_pretrained(OUT'],
        ["fromFolder('/models/gemma-3-1b-it-tjs'", 'fromFolder(OUT'],
      ],
      prelude: 'const OUT = TMP + "/tjs";\nconst ids = [2, 651, 6037, 563];',
      after: 'await model.dispose();',
    },
  "packages/weights/README.md: import { gemma3Weights, openCheckpoint } from '@gemma3/weights';": {
    dir: 'packages/weights',
    substitutions: [VLM_DIR],
  },
  "apps/server/README.md: import OpenAI from 'openai';": {
    dir: 'apps/server',
    substitutions: [
      ["baseURL: 'http://127.0.0.1:8080/v1'", 'baseURL: server.url + "/v1"'],
      ["model: 'gemma-3-4b-it'", "model: 'tiny-vlm'"],
      [
        "url: 'data:image/png;base64,...'",
        'url: "data:image/png;base64," + readImage(SUNSET).toString("base64")',
      ],
    ],
    // The README's server (`gemma3 serve --model ...`) on a free port, serving tiny-vlm.
    prelude: `import { readFileSync as readImage } from 'node:fs';
import { Gemma3Server, loadPipelineBackend } from '@gemma3/server';
const backend = await loadPipelineBackend(TINY_VLM, { cacheDir: \`\${TMP}/onnx\`, progress: false });
const served = new Gemma3Server({ backend, log: () => {} });
const { port } = await served.listen(0, '127.0.0.1');
const server = { url: \`http://127.0.0.1:\${port}\` };`,
    after: 'await served.close(1_000);\nif (!out.choices[0]?.message) throw new Error("no answer");',
  },
};

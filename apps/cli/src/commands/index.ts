import type { LazyCommand } from '../command.js';

/**
 * Every `gemma3` subcommand, in the order `gemma3 --help` lists them. A command's module (and with it
 * onnxruntime-node, sharp, @gemma3/pipeline or the server) is imported only when that command is chosen:
 * keep this file free of static imports of the commands (src/lazy-imports.spawn.test.ts checks it).
 */
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'run',
    summary: 'Answer one prompt (text, or images + text), streaming the answer',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'chat',
    summary: 'Interactive multi-turn chat in the terminal (images with /image)',
    load: async () => (await import('./chat.js')).chatCommand,
  },
  {
    name: 'serve',
    summary: 'Serve a model over an OpenAI-compatible HTTP API, with a web chat page',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    name: 'demo',
    summary: 'Ask the embedded tiny model about the bundled image (creates the model if absent)',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'convert',
    summary: 'Build and cache the ONNX graphs of a model ahead of time, or export them for transformers.js',
    load: async () => (await import('./convert.js')).convertCommand,
  },
  {
    name: 'bench',
    summary: 'Measure load time, prefill and decode tokens/s, time to first token and peak RSS',
    load: async () => (await import('./bench.js')).benchCommand,
  },
  {
    name: 'mask',
    summary: 'Show which tokens each token may attend to (causal, sliding window, image blocks)',
    load: async () => (await import('./mask.js')).maskCommand,
  },
  {
    name: 'create-random',
    summary: 'Write a Hugging Face-format Gemma 3 checkpoint with seeded random weights',
    load: async () => (await import('./create-random.js')).createRandomCommand,
  },
];

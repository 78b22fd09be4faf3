// Types only: the pipeline (onnxruntime-node, sharp) is imported once the command line is checked and
// the first line is out.
import type { PipelineTask } from '@gemma3/pipeline';
import type { Command } from '../command.js';
import { UsageError } from '../errors/usage-error.js';
import { questionMessages } from '../generate/build-messages.js';
import { formatTimings, jsonResult } from '../generate/format-timings.js';
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptions,
  loadOptions,
  requireString,
  stringList,
} from '../generate/generation-flags.js';
import { EXIT_INTERRUPTED, withInterrupt } from '../generate/interrupt.js';
import { readPromptFromStdin } from '../generate/stdin.js';
import { STRUCTURED_HELP, STRUCTURED_OPTIONS, structuredOptions } from '../generate/structured-flags.js';
import { TASKS } from '../generate/tasks.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Answer one prompt (text, or images + text), streaming the answer',
  help: `Usage: gemma3 run --model M [--task TASK] [--image I]... [--prompt P] [options]
       echo "Why is the sky blue?" | gemma3 run --model M

Loads the model (a local folder, or a Hugging Face id such as google/gemma-3-4b-it), sends the prompt
as one user turn through the chat template and streams the answer to stdout. Timings go to stderr.

Options:
  --model M            local folder with config.json, or a Hugging Face model id (required)
  --task TASK          ${TASKS.join(' | ')} (default: image-text-to-text when
                       --image is given, else text-generation)
  --image I            image file, http(s) URL or data: URI; repeat for several images
  --prompt P           the question; without it, standard input is read (one trailing newline dropped)
  --raw                send the prompt as is (no chat template; <start_of_image> marks images)
  --json               print one JSON object instead of streaming: text, token_ids (the generated ids),
                       finish_reason, seed, usage, timings

${GENERATION_HELP}

${STRUCTURED_HELP}

  --verbose            stack traces on errors
  -h, --help           show this help

Exit codes: 0 answered, 1 failed (model, image, generation: one line on stderr), 2 bad command line,
130 interrupted with Ctrl-C (the partial answer is printed).

Examples:
  gemma3 run --model google/gemma-3-1b-it --prompt "Write a haiku about Node.js" --temperature 0
  gemma3 run --model ./gemma-3-4b-it --image cat.jpg --prompt "What is shown in this image?" --json
  gemma3 run --model google/gemma-3-1b-it --prompt "A person, as JSON" --json-schema person.schema.json
`,
  options: {
    model: { type: 'string' },
    task: { type: 'string' },
    image: { type: 'string', multiple: true },
    prompt: { type: 'string' },
    raw: { type: 'boolean' },
    json: { type: 'boolean' },
    ...GENERATION_OPTIONS,
    ...STRUCTURED_OPTIONS,
  },
  async run({ values, io }) {
    const model = requireString(values, 'model', 'run');
    const images = stringList(values, 'image');
    const task = (values.task ??
      (images.length > 0 ? 'image-text-to-text' : 'text-generation')) as PipelineTask;
    if (!TASKS.includes(task)) {
      throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got "${String(values.task)}"`, 'run');
    }
    if (task === 'text-generation' && images.length > 0) {
      throw new UsageError('--image needs --task image-text-to-text', 'run');
    }
    const generation = generationOptions(values, 'run');
    const structured = structuredOptions(values, 'run');
    const options = loadOptions(values, 'run', io.stderr.isTTY === true);
    let prompt = values.prompt as string | undefined;
    if (prompt === undefined) {
      if (process.stdin.isTTY) {
        throw new UsageError('give the prompt with --prompt, or pipe it on standard input', 'run');
      }
      prompt = await readPromptFromStdin();
    }
    if (prompt.trim() === '') throw new UsageError('the prompt is empty', 'run');
    const system = typeof values.system === 'string' ? values.system : undefined;
    if (values.raw === true && system !== undefined)
      throw new UsageError('--system cannot be used with --raw', 'run');
    const json = values.json === true;

    // On a terminal, say what loads as soon as the command line is checked (loading takes seconds);
    // on a pipe stderr stays as it was (the timings line only).
    if (io.stderr.isTTY === true) io.stderr.write(`${loadingLine(model, task, options.dtype)}\n`);
    const { pipeline } = await import('@gemma3/pipeline');
    const generator = await pipeline(task, model, options);
    try {
      const input = values.raw === true ? prompt : questionMessages(prompt, images, system);
      let endsWithNewline = true;
      const { value: output, interrupted } = await withInterrupt((signal) =>
        generator.run(input, {
          ...generation,
          ...structured,
          ...(values.raw === true ? { images } : {}),
          ...(values['pan-and-scan'] === true ? { panAndScan: true } : {}),
          signal,
          ...(json
            ? {}
            : {
                onText: (text: string) => {
                  io.stdout.write(text);
                  endsWithNewline = text.endsWith('\n');
                },
              }),
        }),
      );
      if (json) {
        io.stdout.write(
          `${JSON.stringify({ ...jsonResult(output, model, task, generator.dtype), interrupted })}\n`,
        );
      } else {
        if (!endsWithNewline) io.stdout.write('\n');
        io.stderr.write(`${interrupted ? '[interrupted] ' : ''}${formatTimings(output, generator.dtype)}\n`);
      }
      return interrupted ? EXIT_INTERRUPTED : 0;
    } finally {
      await generator.dispose();
    }
  },
};

/** `run`'s first line on a terminal: the model, the task and the dtype asked for (the default is named later). */
export function loadingLine(model: string, task: PipelineTask, dtype: string | undefined): string {
  return `Loading ${model} (${task}${dtype === undefined ? '' : `, ${dtype} weights`})...`;
}

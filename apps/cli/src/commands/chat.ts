import { createInterface } from 'node:readline';
import { Gemma3Error } from '@gemma3/errors';
import { detectModelKind, type PipelineMessage, pipeline, resolveModelFolder } from '@gemma3/pipeline';
import type { Command } from '../command.js';
import { imageItem } from '../generate/build-messages.js';
import { formatTimings } from '../generate/format-timings.js';
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptions,
  loadOptions,
  requireString,
} from '../generate/generation-flags.js';

const CHAT_COMMANDS = `Commands: /image PATH|URL (attach to your next message), /reset (forget the conversation),
/help, /exit (or Ctrl-D). Ctrl-C stops the answer being written; you stay in the chat.`;

export const chatCommand: Command = {
  name: 'chat',
  summary: 'Interactive multi-turn chat in the terminal (images with /image)',
  help: `Usage: gemma3 chat --model M [options]

A multi-turn conversation with the model: type a message, the answer streams back; the whole
conversation is sent each turn (through the chat template).

${CHAT_COMMANDS}

Options:
  --model M            local folder or Hugging Face model id (required)
  --timings            print the timings line after each answer (to stderr)

${GENERATION_HELP}

  --verbose            stack traces on errors
  -h, --help           show this help

Standard input may be a pipe: each line is one message or command.
Exit codes: 0 left with /exit or Ctrl-D, 1 failed to load, 2 bad command line. A failed turn (a bad
image, a too-long conversation) prints one error line and the chat goes on.
`,
  options: { model: { type: 'string' }, timings: { type: 'boolean' }, ...GENERATION_OPTIONS },
  async run({ values, io, verbose }) {
    const model = requireString(values, 'model', 'chat');
    const generation = generationOptions(values, 'chat');
    const options = loadOptions(values, 'chat', io.stderr.isTTY === true);
    const system = typeof values.system === 'string' ? values.system : undefined;
    const dir = await resolveModelFolder(model, options);
    const multimodal = (await detectModelKind(dir)).kind === 'multimodal';
    const chat = await pipeline(multimodal ? 'image-text-to-text' : 'text-generation', dir, options);
    const interactive = process.stdin.isTTY === true;
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
    let conversation: PipelineMessage[] = [];
    let pendingImages: string[] = [];
    let answering: AbortController | undefined;
    const onInterrupt = () => {
      if (answering) answering.abort();
      else if (interactive) {
        io.stdout.write('\n(Ctrl-D or /exit to leave)\n');
        rl.prompt();
      }
    };
    rl.on('SIGINT', onInterrupt);
    process.on('SIGINT', onInterrupt);
    const reset = () => {
      conversation = system === undefined ? [] : [{ role: 'system', content: system }];
      pendingImages = [];
    };
    reset();
    io.stdout.write(
      `Chatting with ${model} (${chat.dtype} weights${multimodal ? '; images: /image PATH' : ''}). ${interactive ? 'Ctrl-D or /exit to leave.' : ''}\n`,
    );
    rl.setPrompt('> ');
    if (interactive) rl.prompt();
    try {
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === '/exit' || line === '/quit') break;
        if (line === '') {
          // nothing to send
        } else if (line === '/reset') {
          reset();
          io.stdout.write('(conversation cleared)\n');
        } else if (line === '/help') {
          io.stdout.write(`${CHAT_COMMANDS}\n`);
        } else if (line.startsWith('/image')) {
          const path = line.slice('/image'.length).trim();
          if (!multimodal) io.stdout.write('(this model is text-only: it cannot see images)\n');
          else if (path === '') io.stdout.write('(usage: /image PATH|URL)\n');
          else {
            pendingImages.push(path);
            io.stdout.write(`(image ${path} will go with your next message)\n`);
          }
        } else if (line.startsWith('/')) {
          io.stdout.write(`(unknown command ${line.split(/\s/)[0]}; /help lists them)\n`);
        } else {
          const user: PipelineMessage = {
            role: 'user',
            content: [...pendingImages.map(imageItem), { type: 'text', text: line }],
          };
          answering = new AbortController();
          let ended = true;
          try {
            const output = await chat.run([...conversation, user], {
              ...generation,
              signal: answering.signal,
              onText: (text) => {
                io.stdout.write(text);
                ended = text.endsWith('\n');
              },
            });
            if (!ended) io.stdout.write('\n');
            if (output.finishReason === 'abort') io.stdout.write('(stopped)\n');
            conversation = output.messages ?? conversation;
            pendingImages = [];
            if (values.timings === true) io.stderr.write(`${formatTimings(output, chat.dtype)}\n`);
          } catch (error) {
            if (!ended) io.stdout.write('\n');
            if (!Gemma3Error.isInstance(error)) throw error;
            io.stderr.write(`gemma3: error: ${error.message}\n`);
            if (verbose) io.stderr.write(`${error.stack ?? ''}\n`);
            pendingImages = [];
          } finally {
            answering = undefined;
          }
        }
        if (interactive) rl.prompt();
      }
    } finally {
      rl.removeListener('SIGINT', onInterrupt);
      process.removeListener('SIGINT', onInterrupt);
      rl.close();
      await chat.dispose();
    }
    if (interactive) io.stdout.write('\n');
    return 0;
  },
};

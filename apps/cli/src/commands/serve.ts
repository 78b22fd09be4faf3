// The flags and their checks come from the server's light entry; the server itself (and with it the
// pipeline and onnxruntime) is imported only when it is started.
import { SERVE_ARGS, SERVE_HELP, ServeUsageError, serveOptionsFromValues } from '@gemma3/server/serve-args';
import type { Command } from '../command.js';
import { UsageError } from '../errors/usage-error.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve a model over an OpenAI-compatible HTTP API, with a web chat page',
  help: `${SERVE_HELP}
Exit codes: 0 after SIGTERM / Ctrl-C (graceful), 1 the model failed to load or the port is taken,
2 bad command line.

Examples:
  gemma3 serve --model google/gemma-3-4b-it
  gemma3 serve --model ./gemma-3-1b-it --port 8000 --api-key "$KEY"
  curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
    -d '{"model": "gemma-3-1b-it", "messages": [{"role": "user", "content": "Hi"}]}'
`,
  options: SERVE_ARGS,
  async run({ values, io }) {
    let options: ReturnType<typeof serveOptionsFromValues>;
    try {
      options = serveOptionsFromValues(values);
    } catch (error) {
      if (error instanceof ServeUsageError) throw new UsageError(error.message, 'serve');
      throw error;
    }
    const { serve } = await import('@gemma3/server');
    await serve(options, (line) => io.stderr.write(`${line}\n`));
    // Serves until SIGTERM / SIGINT, which close the server gracefully and exit the process.
    return new Promise<number>(() => {});
  },
};

// A `serve()` over a FakeBackend, as a separate process (the shutdown test sends it SIGTERM).
// Usage: node --import tsx --conditions=@gemma3/source src/test-utils/fake-server-main.ts [stepMs] [shutdownMs]
import { serve } from '../serve.js';
import { FakeBackend } from './fake-backend.js';

const stepMs = Number(process.argv[2] ?? 5);
const shutdownTimeoutMs = Number(process.argv[3] ?? 5_000);
const running = await serve({
  model: 'fake-gemma',
  host: '127.0.0.1',
  port: 0,
  shutdownTimeoutMs,
  backend: new FakeBackend({ stepMs, contextLength: 1e9 }),
});
process.stdout.write(`${running.url}\n`);

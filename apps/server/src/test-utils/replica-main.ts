// One replica for the nginx test: `serve()` over a FakeBackend as its own process, named by X-Served-By.
// Usage: node --import tsx --conditions=@gemma3/source src/test-utils/replica-main.ts NAME [stepMs] [shutdownMs]
// Prints its URL on stdout once it listens.
import { serve } from '../serve.js';
import { FakeBackend } from './fake-backend.js';

const servedBy = process.argv[2] ?? 'replica';
const stepMs = Number(process.argv[3] ?? 5);
const shutdownTimeoutMs = Number(process.argv[4] ?? 5_000);
const running = await serve({
  model: 'fake-gemma',
  host: '127.0.0.1',
  port: 0,
  shutdownTimeoutMs,
  servedBy,
  concurrency: 8,
  maxQueue: 256,
  backend: new FakeBackend({ stepMs, contextLength: 1e9 }),
});
process.stdout.write(`${running.url}\n`);

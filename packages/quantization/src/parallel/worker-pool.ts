import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { QuantizationOptionsError } from '../errors/quantization-options-error.js';
import { QuantizationWorkerError } from '../errors/quantization-worker-error.js';
import { collectGarbage } from './collect-garbage.js';
import type { QuantizeTask } from './quantize-task.js';

/** Environment variable that sets the number of quantization worker threads (0: quantize on the main thread). */
export const BUILD_WORKERS_ENV = 'GEMMA3_BUILD_WORKERS';

/** `GEMMA3_BUILD_WORKERS` if set (a whole number >= 0), else one worker per available core. */
export function buildWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[BUILD_WORKERS_ENV];
  if (value === undefined || value === '') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new QuantizationOptionsError(BUILD_WORKERS_ENV, `must be a whole number >= 0, got "${value}"`);
  }
  return count;
}

/** Shared memory allocated between two collections (see `QuantizePool.allocated`). */
const COLLECT_EVERY_BYTES = 1 << 30;

interface Pending {
  task: QuantizeTask;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Starts the worker script. Built (dist) code runs `quantize-worker.js` beside this file; from the
 * TypeScript sources (the `@gemma3/source` condition, under tsx or vitest) the worker registers tsx first,
 * as a worker does not inherit the parent's loader hooks.
 */
function spawnWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(`./quantize-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(script);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
  const execArgv = process.execArgv.some((a) => a.includes('@gemma3/source'))
    ? process.execArgv
    : [...process.execArgv, '--conditions=@gemma3/source'];
  return new Worker(bootstrap, { eval: true, execArgv });
}

/**
 * Worker threads that run QuantizeTasks, one task per worker at a time, first come first served.
 * Idle workers are unreferenced (they do not keep the process alive); a worker that fails rejects
 * its task with QuantizationWorkerError and is replaced on the next task.
 */
export class QuantizePool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private started = 0;
  private allocatedSinceCollect = 0;

  constructor(readonly size: number) {}

  run(task: QuantizeTask): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Counts shared memory allocated for tasks; past `COLLECT_EVERY_BYTES` since the last time, collects
   * garbage on this thread and asks every worker to (a SharedArrayBuffer is freed only when every
   * thread that saw it has collected it, and V8 does not start collections for them: collect-garbage.ts).
   */
  allocated(bytes: number): void {
    this.allocatedSinceCollect += bytes;
    if (this.allocatedSinceCollect < COLLECT_EVERY_BYTES) return;
    this.allocatedSinceCollect = 0;
    collectGarbage();
    for (const worker of [...this.idle, ...this.busy.keys()]) worker.postMessage({ collect: true });
  }

  /** Ends every worker (pending tasks are rejected). */
  async close(): Promise<void> {
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const [, pending] of this.busy)
      pending.reject(new QuantizationWorkerError(pending.task.tensor, 'closed'));
    this.busy.clear();
    for (const pending of this.queue.splice(0)) {
      pending.reject(new QuantizationWorkerError(pending.task.tensor, 'closed'));
    }
    this.started = 0;
    for (const w of workers) w.removeAllListeners();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (worker === undefined && this.started < this.size) worker = this.start();
      if (worker === undefined) return;
      const pending = this.queue.shift()!;
      this.busy.set(worker, pending);
      worker.ref();
      worker.postMessage(pending.task);
    }
  }

  private start(): Worker {
    const worker = spawnWorker();
    this.started++;
    worker.on('message', (reply: { ok: boolean; message?: string }) => {
      const pending = this.busy.get(worker);
      if (pending === undefined) return;
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (reply.ok) pending.resolve();
      else pending.reject(new QuantizationWorkerError(pending.task.tensor, `failed: ${reply.message}`));
      this.dispatch();
    });
    let failed = false;
    const fail = (reason: string, cause?: unknown) => {
      if (failed) return; // 'exit' follows 'error'
      failed = true;
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.started--;
      pending?.reject(new QuantizationWorkerError(pending.task.tensor, reason, cause));
      this.dispatch();
    };
    worker.on('error', (error) => fail(`threw: ${error.message}`, error));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return worker;
  }
}

let shared: QuantizePool | undefined;

/** The process-wide pool (`buildWorkerCount()` workers, started on first use); undefined for 0 workers. */
export function sharedQuantizePool(): QuantizePool | undefined {
  const size = buildWorkerCount();
  if (size === 0) return undefined;
  if (shared?.size !== size) {
    void shared?.close();
    shared = new QuantizePool(size);
  }
  return shared;
}

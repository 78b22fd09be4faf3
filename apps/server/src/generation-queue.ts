import { QueueFullError } from './errors/queue-full-error.js';
import { ServiceUnavailableError } from './errors/service-unavailable-error.js';

interface Waiter {
  start: () => void;
  fail: (error: unknown) => void;
}

/** Thrown to a waiter whose signal fired before it got a slot (its client went away). */
export class QueueAbortedError extends Error {
  constructor() {
    super('aborted while queued');
    this.name = 'QueueAbortedError';
  }
}

/**
 * A bounded FIFO in front of the model: at most `concurrency` tasks run at once and at most
 * `maxQueue` wait; one more is a QueueFullError (429). A waiter whose signal aborts leaves the queue
 * at once. `close()` refuses new work and fails every waiter with 503 (running tasks go on).
 */
export class GenerationQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
    private readonly onChange: () => void = () => {},
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      waiter.fail(new ServiceUnavailableError('The server is shutting down', 'shutting_down'));
    }
    this.onChange();
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (this.closed)
      return Promise.reject(new ServiceUnavailableError('The server is shutting down', 'shutting_down'));
    if (signal.aborted) return Promise.reject(new QueueAbortedError());
    if (this.active < this.concurrency) {
      this.active++;
      this.onChange();
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue)
      return Promise.reject(new QueueFullError(this.concurrency, this.maxQueue));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        this.onChange();
        reject(new QueueAbortedError());
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.onChange();
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next)
      next.start(); // the slot passes straight to the next waiter
    else this.active--;
    this.onChange();
  }
}

import { ApiError } from './api-error.js';

/** 429: every generation slot is busy and the waiting queue is full; retry later. */
export class QueueFullError extends ApiError {
  constructor(concurrency: number, maxQueue: number) {
    super({
      status: 429,
      type: 'rate_limit_error',
      message: `The server is busy: ${concurrency} generation(s) running and ${maxQueue} waiting (the queue's limit); retry later`,
      apiCode: 'queue_full',
    });
  }
}

import { ApiError } from './api-error.js';

/** 408: the request body did not arrive in time (a slow or stalled client). */
export class RequestTimeoutError extends ApiError {
  constructor(timeoutMs: number) {
    super({
      status: 408,
      type: 'invalid_request_error',
      message: `The request body did not arrive within ${timeoutMs} ms`,
      apiCode: 'request_timeout',
    });
  }
}

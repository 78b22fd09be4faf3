import { ApiError } from './api-error.js';

/** 413: the request body is over the server's limit (`--max-body-bytes`). */
export class PayloadTooLargeError extends ApiError {
  readonly limitBytes: number;

  constructor(limitBytes: number, seenBytes: number) {
    super({
      status: 413,
      type: 'invalid_request_error',
      message: `The request body (${seenBytes} bytes${seenBytes > limitBytes ? ' or more' : ''}) is over the limit of ${limitBytes} bytes`,
      apiCode: 'request_too_large',
    });
    this.limitBytes = limitBytes;
  }
}

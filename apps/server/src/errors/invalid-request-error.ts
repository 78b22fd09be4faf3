import { ApiError } from './api-error.js';

/** 400: the request is malformed or asks for something the server cannot do. */
export class InvalidRequestError extends ApiError {
  constructor(message: string, param: string | null = null, apiCode: string | null = null, cause?: unknown) {
    super({ status: 400, type: 'invalid_request_error', message, param, apiCode, cause });
  }
}

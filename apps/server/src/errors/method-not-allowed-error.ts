import { ApiError } from './api-error.js';

/** 405: a known route called with the wrong method; `allow` goes into the Allow header. */
export class MethodNotAllowedError extends ApiError {
  readonly allow: readonly string[];

  constructor(method: string, path: string, allow: readonly string[]) {
    super({
      status: 405,
      type: 'invalid_request_error',
      message: `${method} is not allowed on ${path} (use ${allow.join(' or ')})`,
      apiCode: 'method_not_allowed',
    });
    this.allow = allow;
  }
}

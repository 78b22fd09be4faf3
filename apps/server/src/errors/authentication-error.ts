import { ApiError } from './api-error.js';

/** 401: missing or wrong API key. */
export class AuthenticationError extends ApiError {
  constructor(message: string) {
    super({ status: 401, type: 'authentication_error', message, apiCode: 'invalid_api_key' });
  }
}

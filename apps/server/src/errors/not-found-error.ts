import { ApiError } from './api-error.js';

/** 404: unknown route (`unknown_url`) or unknown model (`model_not_found`). */
export class NotFoundError extends ApiError {
  constructor(message: string, apiCode: 'unknown_url' | 'model_not_found', param: string | null = null) {
    super({ status: 404, type: 'invalid_request_error', message, param, apiCode });
  }
}

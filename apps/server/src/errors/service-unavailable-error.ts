import { ApiError } from './api-error.js';

/** 503: the model is still loading, failed to load, or the server is shutting down. */
export class ServiceUnavailableError extends ApiError {
  constructor(message: string, apiCode: 'model_loading' | 'model_failed' | 'shutting_down') {
    super({ status: 503, type: 'server_error', message, apiCode });
  }
}

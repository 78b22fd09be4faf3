import { ApiError } from './api-error.js';

/**
 * 500: a real fault inside the server. The client gets only a generic message and an incident id;
 * the cause (with its stack) goes to the server log under the same id.
 */
export class InternalError extends ApiError {
  readonly incident: string;

  constructor(incident: string, cause: unknown) {
    super({
      status: 500,
      type: 'server_error',
      message: `Internal server error (incident ${incident}; details are in the server log)`,
      apiCode: 'internal_error',
      cause,
    });
    this.incident = incident;
  }
}

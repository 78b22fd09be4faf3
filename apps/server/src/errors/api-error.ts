import { Gemma3Error } from '@gemma3/errors';

/** The `type` field of an OpenAI error body. */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

export interface ApiErrorFields {
  status: number;
  type: ApiErrorType;
  message: string;
  /** The request field at fault (`messages[1].content[0].image_url.url`), or null. */
  param?: string | null;
  /** OpenAI-style machine code (`context_length_exceeded`, `invalid_api_key` ...), or null. */
  apiCode?: string | null;
  cause?: unknown;
}

/**
 * An error the server answers with `{ "error": { message, type, param, code } }` and `status`.
 * Subclasses fix the status and type; the message is safe to show to the client.
 */
export class ApiError extends Gemma3Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly apiCode: string | null;

  constructor({ status, type, message, param = null, apiCode = null, cause }: ApiErrorFields) {
    super({ code: `server/${apiCode ?? type}`, message, cause });
    this.status = status;
    this.type = type;
    this.param = param;
    this.apiCode = apiCode;
  }

  /** The JSON body OpenAI clients parse. */
  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.apiCode } };
  }
}

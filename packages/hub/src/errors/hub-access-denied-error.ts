import { Gemma3Error } from '@gemma3/errors';

/**
 * 401/403 from the hub: a gated model (like Gemma) whose license was not accepted, a private
 * model, or a missing/invalid token.
 */
export class HubAccessDeniedError extends Gemma3Error {
  readonly modelId: string;
  readonly file: string | undefined;
  readonly status: number;
  readonly tokenSent: boolean;

  constructor(options: {
    modelId: string;
    file?: string;
    status: number;
    tokenSent: boolean;
    endpoint: string;
  }) {
    const { modelId, file, status, tokenSent, endpoint } = options;
    const target = file === undefined ? modelId : `${file} of ${modelId}`;
    const fix = tokenSent
      ? `the token in HF_TOKEN was refused: make sure its account accepted the license at ${endpoint}/${modelId} and that it has read access`
      : `accept the license at ${endpoint}/${modelId} while logged in, then set HF_TOKEN to an access token of that account (${endpoint}/settings/tokens)`;
    super({
      code: 'hub/access-denied',
      message: `access denied (HTTP ${status}) to ${target}: the model is gated or private; ${fix}`,
    });
    this.modelId = modelId;
    this.file = file;
    this.status = status;
    this.tokenSent = tokenSent;
  }
}

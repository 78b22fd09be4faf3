import { HubAccessDeniedError } from './errors/hub-access-denied-error.js';
import { HubHttpError } from './errors/hub-http-error.js';
import { HubNotFoundError } from './errors/hub-not-found-error.js';

export interface HubRequestContext {
  endpoint: string;
  modelId: string;
  revision: string;
  file?: string;
  tokenSent: boolean;
}

/**
 * The typed error for a non-success, non-retryable hub response. Reads the hub's `X-Error-Code`
 * (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) when present, else the status.
 */
export async function hubStatusError(
  response: Response,
  url: string,
  context: HubRequestContext,
): Promise<Error> {
  const detail = await response.text().then(
    (text) => text.slice(0, 300),
    () => '',
  );
  const { endpoint, modelId, revision, file, tokenSent } = context;
  const errorCode = response.headers.get('x-error-code');
  const denied = () =>
    new HubAccessDeniedError({ modelId, file, status: response.status, tokenSent, endpoint });
  switch (errorCode) {
    case 'RepoNotFound':
      return new HubNotFoundError({ modelId, revision, missing: 'model' });
    case 'RevisionNotFound':
      return new HubNotFoundError({ modelId, revision, missing: 'revision' });
    case 'EntryNotFound':
      return new HubNotFoundError({
        modelId,
        revision,
        file,
        missing: file === undefined ? 'model' : 'file',
      });
    case 'GatedRepo':
      return denied();
  }
  if (response.status === 401 || response.status === 403) return denied();
  if (response.status === 404) {
    return new HubNotFoundError({ modelId, revision, file, missing: file === undefined ? 'model' : 'file' });
  }
  return new HubHttpError({ url, status: response.status, attempts: 1, detail });
}

import { HubResponseError } from './errors/hub-response-error.js';
import {
  asTransient,
  type HttpSettings,
  IdleDeadline,
  request,
  throwIfRetryable,
  withRetries,
} from './http-client.js';
import { type HubRequestContext, hubStatusError } from './hub-status-error.js';
import type { ModelId } from './model-id.js';

export interface ModelInfo {
  /** The commit the revision points at. */
  sha: string;
  /** Repository file paths (`siblings[].rfilename`). */
  files: string[];
}

function encodeFilePath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** `{endpoint}/{org}/{name}/resolve/{revision}/{file}`, the revision URL-encoded (`refs%2Fpr%2F1`). */
export function resolveUrl(endpoint: string, model: ModelId, revision: string, file: string): string {
  return `${endpoint}/${model.org}/${model.name}/resolve/${encodeURIComponent(revision)}/${encodeFilePath(file)}`;
}

/** `GET {endpoint}/api/models/{id}/revision/{revision}`: the commit and the file list. */
export async function fetchModelInfo(
  endpoint: string,
  model: ModelId,
  revision: string,
  settings: HttpSettings,
): Promise<ModelInfo> {
  const url = `${endpoint}/api/models/${model.org}/${model.name}/revision/${encodeURIComponent(revision)}`;
  const context: HubRequestContext = {
    endpoint,
    modelId: model.id,
    revision,
    tokenSent: settings.token !== undefined,
  };
  const body = await withRetries(settings, async () => {
    const deadline = new IdleDeadline(settings.timeoutMs, settings.signal);
    try {
      const result = await request(
        url,
        { method: 'GET', headers: { Accept: 'application/json' } },
        settings,
        deadline,
      );
      await throwIfRetryable(result);
      if (!result.response.ok) throw await hubStatusError(result.response, result.url, context);
      try {
        return await result.response.text();
      } catch (error) {
        return asTransient(result.url, error, settings);
      }
    } finally {
      deadline.clear();
    }
  });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new HubResponseError(url, 'the body is not JSON');
  }
  const { sha, siblings } = (json ?? {}) as { sha?: unknown; siblings?: unknown };
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new HubResponseError(url, '"sha" is not a 40-hex commit hash');
  }
  if (!Array.isArray(siblings)) throw new HubResponseError(url, '"siblings" is not an array');
  const files = siblings.map((sibling, index) => {
    const name = (sibling as { rfilename?: unknown } | null)?.rfilename;
    if (typeof name !== 'string')
      throw new HubResponseError(url, `siblings[${index}].rfilename is not a string`);
    return name;
  });
  return { sha, files };
}

export interface FileMetadata {
  /** Blob name: sha256 for LFS files (X-Linked-Etag), git sha1 for small files (ETag). */
  etag: string;
  /** X-Linked-Size, else Content-Length; undefined when neither was sent. */
  size: number | undefined;
  /** X-Repo-Commit, when sent. */
  commit: string | undefined;
}

/** Strips `W/` and quotes: `W/"abc"` -> `abc`. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

function parseSize(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * `HEAD` on the resolve URL, stopping at the first response that carries the hub's headers (the
 * redirect to the CDN carries X-Linked-Etag / X-Linked-Size / X-Repo-Commit for LFS files); relative
 * redirects without them (a renamed repository) are followed.
 */
export async function fetchFileMetadata(
  endpoint: string,
  model: ModelId,
  revision: string,
  file: string,
  settings: HttpSettings,
): Promise<FileMetadata> {
  const url = resolveUrl(endpoint, model, revision, file);
  const context: HubRequestContext = {
    endpoint,
    modelId: model.id,
    revision,
    file,
    tokenSent: settings.token !== undefined,
  };
  const hasHubHeaders = (response: Response) =>
    response.headers.has('x-repo-commit') || response.headers.has('x-linked-etag');
  return withRetries(settings, async () => {
    const deadline = new IdleDeadline(settings.timeoutMs, settings.signal);
    try {
      const result = await request(url, { method: 'HEAD' }, settings, deadline, hasHubHeaders);
      await throwIfRetryable(result);
      const { response } = result;
      if (!response.ok && !(response.status >= 300 && response.status < 400)) {
        throw await hubStatusError(response, result.url, context);
      }
      const headers = response.headers;
      const etag = headers.get('x-linked-etag') ?? headers.get('etag');
      if (etag === null || normalizeEtag(etag) === '') {
        throw new HubResponseError(result.url, `no ETag for ${file}; is HF_ENDPOINT a Hugging Face hub?`);
      }
      const normalized = normalizeEtag(etag);
      if (!/^[A-Za-z0-9_-]+$/.test(normalized)) {
        throw new HubResponseError(result.url, `the ETag ${JSON.stringify(etag)} cannot name a blob file`);
      }
      return {
        etag: normalized,
        // A redirect's Content-Length is the redirect body's, not the file's.
        size:
          parseSize(headers.get('x-linked-size')) ??
          (response.ok ? parseSize(headers.get('content-length')) : undefined),
        commit: headers.get('x-repo-commit') ?? undefined,
      };
    } finally {
      deadline.clear();
    }
  });
}

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback (127.0.0.1, random port) server shaped like the Hugging Face Hub, for tests:
 * - `GET /api/models/{org}/{name}/revision/{rev}` -> `{ id, sha, siblings: [{ rfilename }] }`
 * - `HEAD|GET /{org}/{name}/resolve/{rev}/{file}`: small files answer 200 with `ETag: "<git sha1>"`;
 *   LFS files answer 302 to `/cdn/<sha256>` with `X-Linked-Etag`, `X-Linked-Size`; both with
 *   `X-Repo-Commit`; Range requests answer 206.
 * - `/cdn/<sha256>`, on this server, on a second server (another port), or via `localhost`.
 * Every request is logged (method, path, port, Authorization, Range).
 */

export interface FakeFile {
  content: Buffer;
  lfs?: boolean;
}

export interface FakeRepo {
  id: string;
  /** Commit of `main` (and of any other branch listed in `branches`). */
  commit: string;
  branches?: string[];
  files: Record<string, FakeFile>;
  /** Resolve routes need `Authorization: Bearer <token>` (401 without, 403 with another). */
  gatedToken?: string;
  /** Every distinct method+path of this repo answers 500 this many times before working. */
  failFirst?: number;
  /** Bytes served instead of the real content (same ETag), to simulate corruption. */
  corrupt?: Record<string, Buffer>;
  /** The first full GET of the file sends this many bytes, then drops the connection. */
  cutAfter?: Record<string, number>;
  /** The first full GET of the file sends this many bytes, then goes silent (connection left open). */
  stallAfter?: Record<string, number>;
  /** Ignore Range headers (always answer 200 with the whole file). */
  ignoreRange?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  port: number;
  authorization: string | undefined;
  range: string | undefined;
}

export type CdnPlacement = 'same-origin' | 'other-port' | 'localhost';

export interface FakeHub {
  /** `http://127.0.0.1:<port>`: the endpoint. */
  url: string;
  port: number;
  cdnPort: number;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function gitSha1Hex(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** The blob name the hub announces for a file. */
export function etagOf(file: FakeFile): string {
  return file.lfs ? sha256Hex(file.content) : gitSha1Hex(file.content);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function sendBody(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  headers: Record<string, string>,
  options: { ignoreRange: boolean; cutAfter: number | undefined; stall?: boolean },
): void {
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  if (range !== null && !options.ignoreRange) {
    const start = Number(range[1]);
    if (start >= body.length) {
      response.writeHead(416, { ...headers, 'Content-Range': `bytes */${body.length}` });
      response.end();
      return;
    }
    response.writeHead(206, {
      ...headers,
      'Content-Length': String(body.length - start),
      'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    response.end(request.method === 'HEAD' ? undefined : body.subarray(start));
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' });
  if (request.method === 'HEAD') {
    response.end();
  } else if (options.cutAfter !== undefined) {
    response.write(body.subarray(0, options.cutAfter), () => {
      if (!options.stall) setTimeout(() => response.destroy(), 20);
    });
  } else {
    response.end(body);
  }
}

export async function startFakeHub(repos: FakeRepo[], cdn: CdnPlacement = 'same-origin'): Promise<FakeHub> {
  const requests: LoggedRequest[] = [];
  const failures = new Map<string, number>();
  const interrupted = new Set<string>();
  const byId = new Map(repos.map((repo) => [repo.id, repo]));
  let port = 0;
  let cdnPort = 0;

  const shouldFail = (repo: FakeRepo, key: string) => {
    const count = failures.get(key) ?? 0;
    if (count >= (repo.failFirst ?? 0)) return false;
    failures.set(key, count + 1);
    return true;
  };

  /** The first full GET of a file in cutAfter/stallAfter is interrupted; later ones are not. */
  const interruption = (repo: FakeRepo, name: string, request: IncomingMessage) => {
    const key = `${repo.id}/${name}`;
    const after = repo.cutAfter?.[name] ?? repo.stallAfter?.[name];
    if (
      after === undefined ||
      interrupted.has(key) ||
      request.method !== 'GET' ||
      request.headers.range !== undefined
    ) {
      return { cutAfter: undefined };
    }
    interrupted.add(key);
    return { cutAfter: after, stall: repo.stallAfter?.[name] !== undefined };
  };

  const handleCdn = (request: IncomingMessage, response: ServerResponse, sha: string) => {
    for (const repo of repos) {
      for (const [name, file] of Object.entries(repo.files)) {
        if (!file.lfs || sha256Hex(file.content) !== sha) continue;
        if (shouldFail(repo, `${request.method} /cdn/${sha}`)) {
          response.writeHead(500).end('flaky');
          return;
        }
        sendBody(
          request,
          response,
          repo.corrupt?.[name] ?? file.content,
          { ETag: `"${sha}"` },
          {
            ignoreRange: repo.ignoreRange ?? false,
            ...interruption(repo, name, request),
          },
        );
        return;
      }
    }
    response.writeHead(404).end('no such blob');
  };

  const handle = (request: IncomingMessage, response: ServerResponse, localPort: number) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      port: localPort,
      authorization: request.headers.authorization,
      range: request.headers.range,
    });
    const cdnMatch = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdnMatch !== null) return handleCdn(request, response, cdnMatch[1]!);
    if (localPort !== port) return void response.writeHead(404).end();

    const api = /^\/api\/models\/([^/]+)\/([^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const match = api ?? resolve;
    const repo = match ? byId.get(`${match[1]}/${match[2]}`) : undefined;
    if (match === null || repo === undefined) {
      response.writeHead(404, { 'X-Error-Code': 'RepoNotFound' }).end('Repository not found');
      return;
    }
    if (shouldFail(repo, `${request.method} ${url.pathname}`)) {
      response.writeHead(500).end('flaky');
      return;
    }
    const revision = decodeURIComponent(match[3]!);
    if (revision !== repo.commit && revision !== 'main' && !repo.branches?.includes(revision)) {
      response.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end('Revision not found');
      return;
    }
    if (api !== null) {
      const siblings = Object.keys(repo.files).map((rfilename) => ({ rfilename }));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id: repo.id, sha: repo.commit, siblings }));
      return;
    }
    if (repo.gatedToken !== undefined && request.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      const status = request.headers.authorization === undefined ? 401 : 403;
      response.writeHead(status, { 'X-Error-Code': 'GatedRepo' }).end('Access to model is restricted');
      return;
    }
    const name = decodeURIComponent(resolve![4]!);
    const file = repo.files[name];
    if (file === undefined) {
      response.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    const headers = { 'X-Repo-Commit': repo.commit };
    if (file.lfs) {
      const sha = sha256Hex(file.content);
      const cdnOrigin = {
        'same-origin': '',
        'other-port': `http://127.0.0.1:${cdnPort}`,
        localhost: `http://localhost:${port}`,
      }[cdn];
      response.writeHead(302, {
        ...headers,
        Location: `${cdnOrigin}/cdn/${sha}`,
        ETag: `"redirect-${sha.slice(0, 8)}"`,
        'X-Linked-Etag': `"${sha}"`,
        'X-Linked-Size': String(file.content.length),
      });
      response.end('Found');
      return;
    }
    sendBody(
      request,
      response,
      repo.corrupt?.[name] ?? file.content,
      { ...headers, ETag: `"${gitSha1Hex(file.content)}"` },
      { ignoreRange: repo.ignoreRange ?? false, ...interruption(repo, name, request) },
    );
  };

  const main = createServer((request, response) => handle(request, response, port));
  const cdnServer = createServer((request, response) => handle(request, response, cdnPort));
  port = await listen(main);
  cdnPort = await listen(cdnServer);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cdnPort,
    requests,
    close: async () => {
      await Promise.all([close(main), close(cdnServer)]);
    },
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseChatRequest } from './api/chat-request.js';
import { parseCompletionRequest } from './api/completion-request.js';
import type { ChatBackend } from './backend.js';
import { classifyError } from './classify-error.js';
import { AuthenticationError } from './errors/authentication-error.js';
import { MethodNotAllowedError } from './errors/method-not-allowed-error.js';
import { NotFoundError } from './errors/not-found-error.js';
import { ServiceUnavailableError } from './errors/service-unavailable-error.js';
import { answerGeneration, type GenerationContext, type StopReason } from './generation-handler.js';
import { GenerationQueue } from './generation-queue.js';
import { readJsonBody } from './http/read-body.js';
import { DEFAULT_REMOTE_IMAGE, type RemoteImageOptions } from './http/remote-image.js';
import { sendJson } from './http/send-json.js';
import { loadStaticAssets, sendStaticAsset } from './http/static-assets.js';
import { ServerMetrics } from './metrics.js';

export interface ServerOptions {
  /** The model, or a promise of it while it loads (/health answers 503 until it resolves). */
  backend: ChatBackend | Promise<ChatBackend>;
  /** When set, /v1/* needs `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Generations running at once. Default 1. */
  concurrency?: number;
  /** Requests waiting for a slot at most; one more is a 429. Default 16. */
  maxQueue?: number;
  /** Largest request body in bytes (413 above). Default 20 MiB (base64 images). */
  maxBodyBytes?: number;
  /** A request body must arrive within this (408 after). Default 30,000 ms. */
  bodyTimeoutMs?: number;
  /** max_tokens for chat requests that give none (capped by the context). Default 1024. */
  defaultMaxTokens?: number;
  /** Accept http(s) image URLs (fetched with `remoteImages` limits, public addresses only). Default false. */
  allowRemoteImages?: boolean;
  remoteImages?: Partial<RemoteImageOptions>;
  /** Unsent SSE bytes above which a client counts as stalled and its generation stops. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Where internal errors and lifecycle lines go. Default: stderr. */
  log?: (line: string) => void;
  /** Sent as `X-Served-By` on every response: names this replica behind a load balancer. Default: none. */
  servedBy?: string;
}

type State = 'loading' | 'ready' | 'failed' | 'closing';

const staticAssets = loadStaticAssets();

/**
 * The OpenAI-compatible HTTP server (node:http). Routes:
 * `GET /` chat page, `GET /health`, `GET /metrics`, `GET /v1/models[/<id>]`,
 * `POST /v1/chat/completions`, `POST /v1/completions`.
 */
export class Gemma3Server {
  readonly http: Server;
  readonly metrics: ServerMetrics;
  readonly queue: GenerationQueue;
  private state: State = 'loading';
  private backend: ChatBackend | undefined;
  private loadError: unknown;
  private readonly inFlight = new Set<{ controller: AbortController; done: Promise<void> }>();
  private readonly apiKeyDigest: Buffer | undefined;
  private readonly log: (line: string) => void;
  private readonly servedBy: string | undefined;
  private readonly options: Required<
    Pick<
      ServerOptions,
      'maxBodyBytes' | 'bodyTimeoutMs' | 'defaultMaxTokens' | 'allowRemoteImages' | 'maxBufferedBytes'
    >
  > & { remoteImages: RemoteImageOptions };
  /** Resolves when the backend is loaded (rejects if loading failed). */
  readonly ready: Promise<void>;

  constructor(options: ServerOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.servedBy = options.servedBy;
    this.options = {
      maxBodyBytes: options.maxBodyBytes ?? 20 * 1024 * 1024,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
      defaultMaxTokens: options.defaultMaxTokens ?? 1024,
      allowRemoteImages: options.allowRemoteImages ?? false,
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      remoteImages: { ...DEFAULT_REMOTE_IMAGE, ...options.remoteImages },
    };
    this.apiKeyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);
    this.queue = new GenerationQueue(options.concurrency ?? 1, options.maxQueue ?? 16);
    this.metrics = new ServerMetrics(
      () => ({
        queued: this.queue.queued,
        running: this.queue.running,
        ready: this.state === 'ready' ? 1 : 0,
      }),
      () => this.backend?.cacheStats?.(),
    );
    this.http = createServer(
      {
        requestTimeout: this.options.bodyTimeoutMs + 5_000,
        headersTimeout: Math.min(30_000, this.options.bodyTimeoutMs + 5_000),
      },
      (req, res) => {
        this.handle(req, res).catch((error) => {
          // handle() answers its own errors; this is the last line of defence.
          this.log(`[gemma3-server] unhandled: ${(error as Error)?.stack ?? error}`);
          if (!res.headersSent)
            sendJson(res, 500, {
              error: {
                message: 'Internal server error',
                type: 'server_error',
                param: null,
                code: 'internal_error',
              },
            });
          else res.destroy();
        });
      },
    );
    this.http.on('clientError', (_error, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.ready = Promise.resolve(options.backend).then(
      (backend) => {
        this.backend = backend;
        if (this.state === 'loading') this.state = 'ready';
      },
      (error) => {
        this.loadError = error;
        if (this.state === 'loading') this.state = 'failed';
        throw error;
      },
    );
    this.ready.catch(() => {}); // reported through /health and 503s
  }

  get status(): State {
    return this.state;
  }

  /** The loaded backend (undefined while loading). */
  get model(): ChatBackend | undefined {
    return this.backend;
  }

  listen(port = 8080, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /**
   * Graceful stop (drain): new requests get 503 (`shutting_down`, `Connection: close`) and /health
   * answers 503 `closing`, so a load balancer sends new traffic elsewhere; queued requests get 503,
   * running ones may finish for `graceMs`; after that they are aborted (streams get an error event and
   * [DONE]). The port stays open while they run, then the connections are closed and the backend disposed.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.state === 'closing') return;
    this.state = 'closing';
    this.queue.close();
    this.http.closeIdleConnections();
    const running = [...this.inFlight];
    const all = () => Promise.all(running.map((f) => f.done));
    const graceful = await Promise.race([all().then(() => true), delay(graceMs).then(() => false)]);
    if (!graceful) {
      for (const f of running) f.controller.abort('shutdown' satisfies StopReason);
      await Promise.race([all(), delay(2_000)]);
    }
    const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await stopped;
    await this.backend?.dispose?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (this.servedBy !== undefined) res.setHeader('x-served-by', this.servedBy);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routeName(path);
    res.on('finish', () => {
      this.metrics.requests.inc({ route, status: String(res.statusCode) });
      this.metrics.requestSeconds.observe((performance.now() - started) / 1000, { route });
    });
    const controller = new AbortController();
    let resolveDone = () => {};
    const entry = { controller, done: new Promise<void>((r) => (resolveDone = r)) };
    this.inFlight.add(entry);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort('client_gone' satisfies StopReason);
      this.inFlight.delete(entry);
      resolveDone();
    });
    try {
      await this.route(req, res, path, controller);
    } catch (error) {
      const apiError = classifyError(error, this.log);
      if (apiError.status === 503 || apiError.status === 429) {
        this.metrics.rejections.inc({ reason: apiError.apiCode ?? String(apiError.status) });
      }
      const headers: Record<string, string> = {};
      if (apiError instanceof MethodNotAllowedError) headers.allow = apiError.allow.join(', ');
      if (apiError.status === 413 || apiError.status === 408 || this.state === 'closing')
        headers.connection = 'close';
      if (apiError.status === 429 || apiError.status === 503) headers['retry-after'] = '1';
      if (apiError.status === 401) headers['www-authenticate'] = 'Bearer';
      if (res.headersSent) res.destroy();
      else sendJson(res, apiError.status, apiError.toBody(), headers);
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    controller: AbortController,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) throw new MethodNotAllowedError(method, path, methods);
    };
    const asset = staticAssets.get(path);
    if (asset) {
      allow(['GET', 'HEAD']);
      sendStaticAsset(req, res, asset);
      return;
    }
    if (path === '/health') {
      allow(['GET', 'HEAD']);
      const status = this.state === 'ready' ? 200 : 503;
      sendJson(res, status, {
        status: this.state,
        ...(this.backend ? { model: this.backend.modelId } : {}),
        ...(this.state === 'failed' ? { error: 'the model failed to load (see the server log)' } : {}),
      });
      return;
    }
    if (path === '/metrics') {
      allow(['GET']);
      const text = this.metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (!path.startsWith('/v1/')) throw new NotFoundError(`Unknown route ${method} ${path}`, 'unknown_url');
    this.authenticate(req);
    if (path === '/v1/models') {
      allow(['GET']);
      const backend = this.requireBackend();
      sendJson(res, 200, { object: 'list', data: [modelEntry(backend)] });
      return;
    }
    if (path.startsWith('/v1/models/')) {
      allow(['GET']);
      const backend = this.requireBackend();
      const id = decodeURIComponentSafe(path.slice('/v1/models/'.length));
      if (id !== backend.modelId)
        throw new NotFoundError(
          `The model '${id}' does not exist on this server`,
          'model_not_found',
          'model',
        );
      sendJson(res, 200, modelEntry(backend));
      return;
    }
    if (path === '/v1/chat/completions' || path === '/v1/completions') {
      allow(['POST']);
      if (this.state === 'closing')
        throw new ServiceUnavailableError('The server is shutting down', 'shutting_down');
      const body = await readJsonBody(req, this.options.maxBodyBytes, this.options.bodyTimeoutMs);
      const request =
        path === '/v1/chat/completions'
          ? parseChatRequest(body, { allowRemoteImages: this.options.allowRemoteImages })
          : parseCompletionRequest(body);
      const backend = this.requireBackend();
      await answerGeneration(this.context(backend), request, res, controller);
      return;
    }
    throw new NotFoundError(`Unknown route ${method} ${path}`, 'unknown_url');
  }

  private context(backend: ChatBackend): GenerationContext {
    return {
      backend,
      queue: this.queue,
      metrics: this.metrics,
      remoteImages: this.options.remoteImages,
      defaultMaxTokens: this.options.defaultMaxTokens,
      maxBufferedBytes: this.options.maxBufferedBytes,
      log: this.log,
    };
  }

  private requireBackend(): ChatBackend {
    if (this.state === 'closing')
      throw new ServiceUnavailableError('The server is shutting down', 'shutting_down');
    if (this.backend) return this.backend;
    if (this.loadError !== undefined) {
      throw new ServiceUnavailableError('The model failed to load; see the server log', 'model_failed');
    }
    throw new ServiceUnavailableError(
      'The model is still loading; retry shortly (GET /health says when it is ready)',
      'model_loading',
    );
  }

  private authenticate(req: IncomingMessage): void {
    if (this.apiKeyDigest === undefined) return;
    const header = req.headers.authorization;
    if (header === undefined)
      throw new AuthenticationError('Missing API key: send "Authorization: Bearer <key>"');
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), this.apiKeyDigest)) {
      throw new AuthenticationError('Incorrect API key provided');
    }
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function modelEntry(backend: ChatBackend) {
  return { id: backend.modelId, object: 'model', created: 0, owned_by: 'gemma3' };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const KNOWN_ROUTES = new Set([
  '/',
  '/health',
  '/metrics',
  '/v1/models',
  '/v1/chat/completions',
  '/v1/completions',
]);

/** A bounded label for metrics (unknown paths are one series). */
function routeName(path: string): string {
  if (KNOWN_ROUTES.has(path)) return path;
  if (path.startsWith('/v1/models/')) return '/v1/models/:id';
  return 'other';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

import type { AddressInfo } from 'node:net';
import type { PipelineDtype } from '@gemma3/pipeline';
import { loadPipelineBackend } from './pipeline-backend.js';
import type { ServeOptions } from './serve-args.js';
import { Gemma3Server } from './server.js';

export {
  defaultParallel,
  parseServeArgs,
  SERVE_ARGS,
  SERVE_HELP,
  type ServeOptions,
  ServeUsageError,
  serveOptionsFromValues,
} from './serve-args.js';

export interface RunningServer {
  server: Gemma3Server;
  address: AddressInfo;
  url: string;
  /** Graceful stop (the same as SIGTERM, without exiting). */
  stop(): Promise<void>;
}

/**
 * Starts listening at once (/health says 503 while the model loads), loads the model, and on
 * SIGTERM / SIGINT shuts down gracefully and exits 0. A model that fails to load exits 1.
 */
export async function serve(
  options: ServeOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<RunningServer> {
  const backend =
    options.backend ??
    loadPipelineBackend(options.model, {
      progress: false,
      ...(options.modelId === undefined ? {} : { modelId: options.modelId }),
      ...(options.dtype === undefined ? {} : { dtype: options.dtype as PipelineDtype }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      parallel: options.concurrency ?? 1,
      ...(options.prefixCacheBytes === undefined ? {} : { prefixCacheBytes: options.prefixCacheBytes }),
    });
  const server = new Gemma3Server({ ...options, backend, log });
  const address = await server.listen(options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log(`[gemma3-server] listening on ${url} (loading ${options.model})`);
  const loadStarted = performance.now();
  server.ready.then(
    () => {
      // The pipeline backend says which weights run (q8 unless --dtype says otherwise).
      const dtype = (server.model as { pipeline?: { dtype?: string } } | undefined)?.pipeline?.dtype;
      log(
        `[gemma3-server] ready: ${url} serves model "${server.model?.modelId}" (${dtype === undefined ? '' : `${dtype} weights, `}loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s)`,
      );
    },
    async (error) => {
      log(`[gemma3-server] the model failed to load: ${(error as Error)?.message ?? error}`);
      await server.close(0);
      process.exit(1);
    },
  );
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= server.close(options.shutdownTimeoutMs);
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`[gemma3-server] ${signal}: shutting down (running requests get ${options.shutdownTimeoutMs} ms)`);
    stop().then(
      () => {
        log('[gemma3-server] stopped');
        process.exit(0);
      },
      (error) => {
        log(`[gemma3-server] error while stopping: ${(error as Error)?.message ?? error}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { server, address, url, stop };
}

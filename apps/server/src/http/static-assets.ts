import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the chat page, read once at startup. */
export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Extra response headers (the HTML page's Content-Security-Policy). */
  readonly headers: Readonly<Record<string, string>>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The page may run only its own scripts and talk only to this server: model output that slipped
 * past the sanitiser still could not run a script or load a remote image (no exfiltration by URL).
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The libraries the page imports, served from this package's own dependencies (no CDN, no build
 * step): URL path -> [package entry to resolve, file beside that entry].
 */
const VENDOR: Record<string, [string, string]> = {
  '/vendor/markdown-it.mjs': ['markdown-it/browser', 'markdown-it.esm.min.mjs'],
  '/vendor/purify.mjs': ['dompurify', 'purify.es.mjs'],
};

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/**
 * Every file under `publicDir` by its URL path (`/` is `index.html`), and the vendored libraries
 * under `/vendor/`. A fixed table: nothing outside it is ever read for a request.
 */
export function loadStaticAssets(publicDir = PUBLIC_DIR): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const file of listFiles(publicDir)) {
    const type = CONTENT_TYPES[extname(file)];
    if (!type) continue;
    const urlPath = `/${relative(publicDir, file).split(sep).join('/')}`;
    assets.set(urlPath, asset(readFileSync(file), type));
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  const require = createRequire(import.meta.url);
  for (const [urlPath, [entry, sibling]] of Object.entries(VENDOR)) {
    const file = join(dirname(require.resolve(entry)), sibling);
    assets.set(urlPath, asset(readFileSync(file), CONTENT_TYPES['.mjs']!));
  }
  return assets;
}

/** Sends an asset for GET or HEAD; `304 Not Modified` when the client already has this version. */
export function sendStaticAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const headers = {
    'content-type': asset.contentType,
    'cache-control': 'no-cache',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
    ...asset.headers,
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': String(asset.body.length) });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function asset(body: Buffer, contentType: string): StaticAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const headers: Record<string, string> = contentType.startsWith('text/html')
    ? { 'content-security-policy': PAGE_POLICY, 'referrer-policy': 'no-referrer' }
    : {};
  return { body, contentType, etag, headers };
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

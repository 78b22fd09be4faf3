import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pipeline } from './pipeline.js';
import { resolveModelFolder } from './resolve-model-folder.js';
import { type LoopbackServer, startLoopbackServer } from './test-utils/http-server.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

// One integration test of model ids through @gemma3/hub (which tests its client thoroughly itself):
// a hub-shaped server on 127.0.0.1 serves the tiny-text checkpoint as "test-org/tiny-text".
const COMMIT = 'a'.repeat(40);
let models: TinyModels;
let hub: LoopbackServer;
let files: Map<string, Buffer>;

const gitSha1 = (content: Buffer) =>
  createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');

beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
  const dir = models.dir('tiny-text');
  files = new Map();
  for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
  hub = await startLoopbackServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/api/models/test-org/tiny-text/revision/main') {
      const siblings = [...files.keys()].map((rfilename) => ({ rfilename }));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id: 'test-org/tiny-text', sha: COMMIT, siblings }));
      return;
    }
    const match = /^\/test-org\/tiny-text\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url);
    const content = match?.[1] === COMMIT ? files.get(decodeURIComponent(match[2]!)) : undefined;
    if (!content) {
      response.writeHead(404, { 'X-Error-Code': 'EntryNotFound' });
      response.end();
      return;
    }
    response.writeHead(200, {
      ETag: `"${gitSha1(content)}"`,
      'X-Repo-Commit': COMMIT,
      'Content-Length': String(content.length),
    });
    response.end(request.method === 'HEAD' ? undefined : content);
  });
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await models?.cleanup();
});

describe('a Hugging Face model id through @gemma3/hub (loopback hub)', { timeout: 60_000 }, () => {
  test('downloaded into the HF cache layout, generates, then resolves offline with no request', async () => {
    const hubOptions = { endpoint: hub.url, cacheDir: join(models.root, 'hf-cache'), env: {} };
    const generator = await pipeline('text-generation', 'test-org/tiny-text', {
      hub: hubOptions,
      cacheDir: models.cacheDir,
      progress: false,
    });
    try {
      expect(generator.modelDir).toBe(
        join(models.root, 'hf-cache', 'models--test-org--tiny-text', 'snapshots', COMMIT),
      );
      // (Buffers compared by hash: vitest's deep equality is very slow on 34 MB.)
      const sha256 = (b: Buffer | undefined) =>
        createHash('sha256')
          .update(b ?? '')
          .digest('hex');
      expect(sha256(await readFile(join(generator.modelDir, 'model.safetensors')))).toBe(
        sha256(files.get('model.safetensors')),
      );
      const out = await generator.run('Hi', { maxNewTokens: 2, temperature: 0, eosTokenId: [] });
      expect(out.tokenIds).toHaveLength(2);
    } finally {
      await generator.dispose();
    }
    const requests = hub.requests.length;
    expect(hub.requests.filter((r) => r.startsWith('GET /test-org/'))).toHaveLength(files.size);
    const offline = await resolveModelFolder('test-org/tiny-text', { hub: { ...hubOptions, offline: true } });
    expect(offline).toBe(generator.modelDir);
    expect(hub.requests.length).toBe(requests);
  });
});

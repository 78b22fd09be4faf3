import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ChecksumMismatchError } from './errors/checksum-mismatch-error.js';
import { HubAccessDeniedError } from './errors/hub-access-denied-error.js';
import { HubHttpError } from './errors/hub-http-error.js';
import { HubNotFoundError } from './errors/hub-not-found-error.js';
import { InvalidModelIdError } from './errors/invalid-model-id-error.js';
import { InvalidRevisionError } from './errors/invalid-revision-error.js';
import { LocalModelNotFoundError } from './errors/local-model-not-found-error.js';
import { OfflineFileMissingError } from './errors/offline-file-missing-error.js';
import { SizeMismatchError } from './errors/size-mismatch-error.js';
import { UnsafeFileNameError } from './errors/unsafe-file-name-error.js';
import { type DownloadProgress, type ResolveModelOptions, resolveModel } from './resolve-model.js';
import {
  type CdnPlacement,
  etagOf,
  type FakeHub,
  type FakeRepo,
  startFakeHub,
} from './test-utils/fake-hub.js';
import {
  COMMIT,
  DEFAULT_SELECTION,
  gemmaFiles,
  gemmaRepo,
  pseudoRandomBytes,
} from './test-utils/gemma-repo.js';

const ID = 'test-org/tiny-gemma3';
const REPO_DIR = 'models--test-org--tiny-gemma3';

let hub: FakeHub | undefined;
let cacheDir: string;

async function serve(repos: FakeRepo[], cdn: CdnPlacement = 'same-origin'): Promise<FakeHub> {
  hub = await startFakeHub(repos, cdn);
  cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-hub-'));
  return hub;
}

/** Options isolated from the machine's HF_* variables: the temp cache, the loopback endpoint. */
function options(server: FakeHub, extra: ResolveModelOptions = {}): ResolveModelOptions {
  return { env: { HF_HUB_CACHE: cacheDir }, endpoint: server.url, retryDelayMs: 1, ...extra };
}

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

const files = gemmaFiles();
const weights = files['model.safetensors']!;
const weightsEtag = etagOf(weights);

describe('resolveModel downloads into the Hugging Face cache layout', () => {
  test('refs/main, relative snapshot symlinks into blobs named by etag, only the Gemma 3 files', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const snapshot = await resolveModel(ID, options(server));
    const repoDir = join(cacheDir, REPO_DIR);
    expect(snapshot).toBe(join(repoDir, 'snapshots', COMMIT));
    expect(await readFile(join(repoDir, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect((await readdir(snapshot)).sort()).toEqual(DEFAULT_SELECTION);
    for (const name of DEFAULT_SELECTION) {
      const pointer = join(snapshot, name);
      expect((await lstat(pointer)).isSymbolicLink()).toBe(true);
      expect(await readlink(pointer)).toBe(`../../blobs/${etagOf(files[name]!)}`);
      expect((await readFile(pointer)).equals(files[name]!.content)).toBe(true);
    }
    // Blobs: sha256 for the LFS weights, git sha1 for small files; no partial or lock files left.
    const blobs = (await readdir(join(repoDir, 'blobs'))).sort();
    expect(blobs).toEqual(DEFAULT_SELECTION.map((name) => etagOf(files[name]!)).sort());
    expect(weightsEtag).toMatch(/^[0-9a-f]{64}$/);
    expect(etagOf(files['config.json']!)).toMatch(/^[0-9a-f]{40}$/);
    // Skipped files were never requested.
    const paths = server.requests.map((r) => r.path);
    expect(
      paths.some((p) => p.includes('pytorch_model.bin') || p.includes('onnx') || p.includes('README')),
    ).toBe(false);
    expect(paths.filter((p) => p.startsWith('/api/'))).toEqual([`/api/models/${ID}/revision/main`]);
    // Files are fetched by commit, so a branch moving mid-download cannot mix two commits.
    expect(paths.filter((p) => p.includes('/resolve/')).every((p) => p.includes(`/resolve/${COMMIT}/`))).toBe(
      true,
    );
  });

  test('a second call is served from the cache without any request', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const first = await resolveModel(ID, options(server));
    const count = server.requests.length;
    expect(count).toBeGreaterThan(0);
    expect(await resolveModel(ID, options(server))).toBe(first);
    expect(server.requests.length).toBe(count);
  });

  test('refresh asks the hub again but downloads nothing already cached', async () => {
    const server = await serve([gemmaRepo(ID)]);
    await resolveModel(ID, options(server));
    const count = server.requests.length;
    await resolveModel(ID, options(server, { refresh: true }));
    expect(server.requests.slice(count).map((r) => r.path)).toEqual([`/api/models/${ID}/revision/main`]);
  });

  test('a cache written by huggingface_hub is found without any request', async () => {
    const server = await serve([]);
    const repoDir = join(cacheDir, 'models--google--gemma-3-4b-it');
    const commit = 'c'.repeat(40);
    await mkdir(join(repoDir, 'refs'), { recursive: true });
    await mkdir(join(repoDir, 'blobs'));
    await mkdir(join(repoDir, 'snapshots', commit), { recursive: true });
    await writeFile(join(repoDir, 'refs', 'main'), commit);
    for (const [name, etag] of [
      ['config.json', 'a'.repeat(40)],
      ['tokenizer.json', 'b'.repeat(64)],
      ['model.safetensors', 'd'.repeat(64)],
    ]) {
      await writeFile(join(repoDir, 'blobs', etag!), `{"name":"${name}"}`);
      await symlink(`../../blobs/${etag}`, join(repoDir, 'snapshots', commit, name!));
    }
    const snapshot = await resolveModel('google/gemma-3-4b-it', options(server));
    expect(snapshot).toBe(join(repoDir, 'snapshots', commit));
    expect(server.requests).toEqual([]);
  });

  test('HF_ENDPOINT is honoured when no endpoint option is given', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const { endpoint: _, ...rest } = options(server);
    const snapshot = await resolveModel(ID, {
      ...rest,
      env: { HF_HUB_CACHE: cacheDir, HF_ENDPOINT: `${server.url}/` },
    });
    expect(snapshot).toBe(join(cacheDir, REPO_DIR, 'snapshots', COMMIT));
    expect(server.requests[0]!.path).toBe(`/api/models/${ID}/revision/main`);
  });

  test('HF_HOME without HF_HUB_CACHE puts the cache under HF_HOME/hub', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const snapshot = await resolveModel(ID, { ...options(server), env: { HF_HOME: cacheDir } });
    expect(snapshot).toBe(join(cacheDir, 'hub', REPO_DIR, 'snapshots', COMMIT));
  });

  test('a sharded model: a missing shard is noticed and fetched alone', async () => {
    const shard1 = { content: pseudoRandomBytes(40_000, 1), lfs: true };
    const shard2 = { content: pseudoRandomBytes(40_000, 2), lfs: true };
    const index = {
      metadata: { total_size: 80_000 },
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
    };
    const { 'model.safetensors': _, ...rest } = gemmaFiles();
    const repo = gemmaRepo(ID, {
      files: {
        ...rest,
        'model.safetensors.index.json': { content: Buffer.from(JSON.stringify(index)) },
        'model-00001-of-00002.safetensors': shard1,
        'model-00002-of-00002.safetensors': shard2,
      },
    });
    const server = await serve([repo]);
    const snapshot = await resolveModel(ID, options(server));
    expect((await readFile(join(snapshot, 'model-00002-of-00002.safetensors'))).equals(shard2.content)).toBe(
      true,
    );
    await unlink(join(snapshot, 'model-00002-of-00002.safetensors'));
    const count = server.requests.length;
    await resolveModel(ID, options(server));
    const again = server.requests.slice(count).map((r) => `${r.method} ${r.path}`);
    // The blob is still there, so the HEAD finds its etag and the link is remade without a GET.
    expect(again).toEqual([
      `GET /api/models/${ID}/revision/main`,
      `HEAD /${ID}/resolve/${COMMIT}/model-00002-of-00002.safetensors`,
    ]);
    expect((await readFile(join(snapshot, 'model-00002-of-00002.safetensors'))).equals(shard2.content)).toBe(
      true,
    );
  });

  test('onProgress reports growing byte counts ending at the announced size', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const events: DownloadProgress[] = [];
    await resolveModel(ID, options(server, { onProgress: (event) => events.push(event) }));
    const weightEvents = events.filter((e) => e.file === 'model.safetensors');
    expect(weightEvents.length).toBeGreaterThan(1);
    for (let i = 1; i < weightEvents.length; i++) {
      expect(weightEvents[i]!.loaded).toBeGreaterThanOrEqual(weightEvents[i - 1]!.loaded);
    }
    expect(weightEvents.at(-1)).toEqual({ file: 'model.safetensors', loaded: 300_000, total: 300_000 });
  });

  test('an explicit file list fetches exactly those files, and names a missing one', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const snapshot = await resolveModel(ID, options(server, { files: ['config.json', 'onnx/model.onnx'] }));
    expect((await readdir(snapshot)).sort()).toEqual(['config.json', 'onnx']);
    expect(await readlink(join(snapshot, 'onnx', 'model.onnx'))).toBe(
      `../../../blobs/${etagOf(files['onnx/model.onnx']!)}`,
    );
    const error = await resolveModel(ID, options(server, { files: ['config.json', 'nope.json'] })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(HubNotFoundError);
    expect(error.message).toContain('nope.json');
    expect(error.message).toContain(ID);
  });
});

describe('resumable, verified downloads', () => {
  test('a partial .incomplete file is resumed with a Range request and verified', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const blobs = join(cacheDir, REPO_DIR, 'blobs');
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${weightsEtag}.incomplete`), weights.content.subarray(0, 123_456));
    const snapshot = await resolveModel(ID, options(server));
    const ranged = server.requests.filter((r) => r.path === `/cdn/${weightsEtag}` && r.method === 'GET');
    expect(ranged.map((r) => r.range)).toEqual(['bytes=123456-']);
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
    expect(await readdir(blobs)).not.toContain(`${weightsEtag}.incomplete`);
  });

  test('a full .incomplete left by a crash before the rename is verified and used without a GET', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const blobs = join(cacheDir, REPO_DIR, 'blobs');
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${weightsEtag}.incomplete`), weights.content);
    const snapshot = await resolveModel(ID, options(server));
    expect(server.requests.some((r) => r.path === `/cdn/${weightsEtag}`)).toBe(false);
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
  });

  test('the resumed file is verified over the old bytes too: a bad partial is deleted', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const blobs = join(cacheDir, REPO_DIR, 'blobs');
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${weightsEtag}.incomplete`), Buffer.alloc(1000, 0xee));
    const error = await resolveModel(ID, options(server)).catch((e) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(await readdir(blobs)).not.toContain(`${weightsEtag}.incomplete`);
    // A second attempt starts from zero and succeeds.
    await resolveModel(ID, options(server));
  });

  test('a connection dropped mid-body is resumed from where it stopped', async () => {
    const server = await serve([gemmaRepo(ID, { cutAfter: { 'model.safetensors': 100_000 } })]);
    const snapshot = await resolveModel(ID, options(server));
    const gets = server.requests.filter((r) => r.path === `/cdn/${weightsEtag}` && r.method === 'GET');
    expect(gets[0]!.range).toBeUndefined();
    expect(gets.length).toBe(2);
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(gets[1]!.range!)![0])).toBeGreaterThan(0);
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
  });

  test('a body that stalls past timeoutMs is abandoned and resumed with a Range request', async () => {
    const server = await serve([gemmaRepo(ID, { stallAfter: { 'model.safetensors': 50_000 } })]);
    const snapshot = await resolveModel(ID, options(server, { timeoutMs: 300 }));
    const gets = server.requests.filter((r) => r.path === `/cdn/${weightsEtag}` && r.method === 'GET');
    expect(gets.map((r) => r.range)).toEqual([undefined, 'bytes=50000-']);
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
  });

  test('a server that ignores Range (200) makes the download start over, still correct', async () => {
    const server = await serve([gemmaRepo(ID, { ignoreRange: true })]);
    const blobs = join(cacheDir, REPO_DIR, 'blobs');
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${weightsEtag}.incomplete`), weights.content.subarray(0, 5000));
    const snapshot = await resolveModel(ID, options(server));
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
  });

  test.each([
    ['model.safetensors', 'sha256'],
    ['config.json', 'git-sha1'],
  ])('corrupt %s: ChecksumMismatchError (%s), nothing left under the final name', async (name, algorithm) => {
    const good = files[name]!.content;
    const bad = Buffer.from(good);
    bad[10] = (bad[10]! + 1) & 0xff;
    const server = await serve([gemmaRepo(ID, { corrupt: { [name]: bad } })]);
    const error = await resolveModel(ID, options(server)).catch((e) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error.file).toBe(name);
    expect(error.algorithm).toBe(algorithm);
    expect(error.expected).toBe(etagOf(files[name]!));
    const blobs = await readdir(join(cacheDir, REPO_DIR, 'blobs'));
    expect(blobs.filter((b) => b.startsWith(etagOf(files[name]!)))).toEqual([]);
    const snapshot = join(cacheDir, REPO_DIR, 'snapshots', COMMIT);
    expect(await readdir(snapshot).catch(() => [])).not.toContain(name);
  });

  test('a body longer than X-Linked-Size is refused', async () => {
    const longer = Buffer.concat([weights.content, Buffer.alloc(10)]);
    const server = await serve([gemmaRepo(ID, { corrupt: { 'model.safetensors': longer } })]);
    const error = await resolveModel(ID, options(server)).catch((e) => e);
    expect(error).toBeInstanceOf(SizeMismatchError);
    expect(error.expected).toBe(300_000);
    expect(error.actual).toBe(300_010);
  });

  test('two concurrent calls download each blob once (the second waits on the lock)', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const [a, b] = await Promise.all([resolveModel(ID, options(server)), resolveModel(ID, options(server))]);
    expect(a).toBe(b);
    const gets = server.requests.filter((r) => r.path === `/cdn/${weightsEtag}` && r.method === 'GET');
    expect(gets.length).toBe(1);
    expect((await readFile(join(a, 'model.safetensors'))).equals(weights.content)).toBe(true);
    expect((await readdir(join(cacheDir, REPO_DIR, 'blobs'))).filter((f) => f.includes('.'))).toEqual([]);
  });

  test('a stale lock left by a dead process does not block the download', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const blobs = join(cacheDir, REPO_DIR, 'blobs');
    await mkdir(blobs, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const { hostname } = await import('node:os');
    await writeFile(join(blobs, `${weightsEtag}.lock`), JSON.stringify({ pid: deadPid, host: hostname() }));
    const snapshot = await resolveModel(ID, options(server));
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
    expect(await readdir(blobs)).not.toContain(`${weightsEtag}.lock`);
  });
});

describe('retries and errors', () => {
  test('every route failing twice with 500 still succeeds, with bounded retries', async () => {
    const server = await serve([gemmaRepo(ID, { failFirst: 2 })]);
    const snapshot = await resolveModel(ID, options(server));
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
    const apiCalls = server.requests.filter((r) => r.path.startsWith('/api/'));
    expect(apiCalls.length).toBe(3);
  });

  test('a route failing more often than the retries allow: HubHttpError with the attempt count', async () => {
    const server = await serve([gemmaRepo(ID, { failFirst: 10 })]);
    const error = await resolveModel(ID, options(server, { retries: 2 })).catch((e) => e);
    expect(error).toBeInstanceOf(HubHttpError);
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(3);
    expect(server.requests.length).toBe(3);
  });

  test('gated model without a token: 401 names the license and HF_TOKEN', async () => {
    const server = await serve([gemmaRepo(ID, { gatedToken: 'hf_good' })]);
    const error = await resolveModel(ID, options(server)).catch((e) => e);
    expect(error).toBeInstanceOf(HubAccessDeniedError);
    expect(error.status).toBe(401);
    expect(error.tokenSent).toBe(false);
    expect(error.message).toContain('accept the license');
    expect(error.message).toContain(`${server.url}/${ID}`);
    expect(error.message).toContain('HF_TOKEN');
    expect(error.file).toBe('config.json');
  });

  test('gated model with a refused token: 403; with the right HF_TOKEN it downloads', async () => {
    const server = await serve([gemmaRepo(ID, { gatedToken: 'hf_good' })]);
    const refused = await resolveModel(ID, options(server, { token: 'hf_bad' })).catch((e) => e);
    expect(refused).toBeInstanceOf(HubAccessDeniedError);
    expect(refused.status).toBe(403);
    expect(refused.tokenSent).toBe(true);
    expect(refused.message).not.toContain('hf_bad');
    const snapshot = await resolveModel(ID, {
      ...options(server),
      env: { HF_HUB_CACHE: cacheDir, HF_TOKEN: 'hf_good' },
    });
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
  });

  test('HUGGING_FACE_HUB_TOKEN is used when HF_TOKEN is unset', async () => {
    const server = await serve([gemmaRepo(ID, { gatedToken: 'hf_old' })]);
    await resolveModel(ID, {
      ...options(server),
      env: { HF_HUB_CACHE: cacheDir, HUGGING_FACE_HUB_TOKEN: 'hf_old' },
    });
    expect(server.requests[0]!.authorization).toBe('Bearer hf_old');
  });

  test('404s name the model, the revision, or the file', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const model = await resolveModel('test-org/missing', options(server)).catch((e) => e);
    expect(model).toBeInstanceOf(HubNotFoundError);
    expect(model.missing).toBe('model');
    expect(model.message).toContain('test-org/missing');
    const revision = await resolveModel(ID, options(server, { revision: 'v9' })).catch((e) => e);
    expect(revision).toBeInstanceOf(HubNotFoundError);
    expect(revision.missing).toBe('revision');
    expect(revision.message).toContain('"v9"');
    const noConfig = gemmaRepo('test-org/no-config', { files: { 'model.safetensors': weights } });
    await hub?.close();
    const server2 = await serve([noConfig]);
    const file = await resolveModel('test-org/no-config', options(server2)).catch((e) => e);
    expect(file).toBeInstanceOf(HubNotFoundError);
    expect(file.file).toBe('config.json');
    expect(file.message).toContain('config.json');
  });
});

describe('tokens and redirects', () => {
  let localhostIsIpv4Loopback = false;
  beforeAll(async () => {
    const addresses = await lookup('localhost', { all: true }).catch(() => []);
    localhostIsIpv4Loopback = addresses.length > 0 && addresses.every((a) => a.address === '127.0.0.1');
  });

  test('the token goes to the hub and a same-origin redirect, as Authorization: Bearer', async () => {
    const server = await serve([gemmaRepo(ID)]);
    await resolveModel(ID, options(server, { token: 'hf_secret' }));
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
  });

  test('the token is not forwarded to a CDN on another port', async () => {
    const server = await serve([gemmaRepo(ID)], 'other-port');
    const snapshot = await resolveModel(ID, options(server, { token: 'hf_secret' }));
    expect((await readFile(join(snapshot, 'model.safetensors'))).equals(weights.content)).toBe(true);
    const cdn = server.requests.filter((r) => r.port === server.cdnPort);
    const own = server.requests.filter((r) => r.port === server.port);
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
    expect(own.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
  });

  test('the token is not forwarded to another host name (127.0.0.1 -> localhost)', async (context) => {
    if (!localhostIsIpv4Loopback) context.skip();
    const server = await serve([gemmaRepo(ID)], 'localhost');
    await resolveModel(ID, options(server, { token: 'hf_secret' }));
    const cdn = server.requests.filter((r) => r.path.startsWith('/cdn/'));
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
  });
});

describe('offline mode', () => {
  test('HF_HUB_OFFLINE=1 uses the cache with no request; a commit revision is used directly', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const online = await resolveModel(ID, options(server));
    const count = server.requests.length;
    const env = { HF_HUB_CACHE: cacheDir, HF_HUB_OFFLINE: '1' };
    expect(await resolveModel(ID, { ...options(server), env })).toBe(online);
    expect(await resolveModel(ID, { ...options(server), env, revision: COMMIT })).toBe(online);
    expect(await resolveModel(ID, options(server, { offline: true, refresh: true }))).toBe(online);
    expect(server.requests.length).toBe(count);
  });

  test('offline and nothing cached: the error says offline and names the revision', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const error = await resolveModel(ID, options(server, { offline: true })).catch((e) => e);
    expect(error).toBeInstanceOf(OfflineFileMissingError);
    expect(error.message).toContain('offline');
    expect(error.message).toContain(ID);
    expect(error.file).toBeUndefined();
    expect(server.requests).toEqual([]);
  });

  test('offline with a file missing from the snapshot: the error names the file', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const snapshot = await resolveModel(ID, options(server));
    await unlink(join(snapshot, 'model.safetensors'));
    const count = server.requests.length;
    const error = await resolveModel(ID, options(server, { offline: true })).catch((e) => e);
    expect(error).toBeInstanceOf(OfflineFileMissingError);
    expect(error.file).toBe('model.safetensors');
    expect(error.message).toContain('model.safetensors');
    const explicit = await resolveModel(
      ID,
      options(server, { offline: true, files: ['config.json', 'extra.json'] }),
    ).catch((e) => e);
    expect(explicit.file).toBe('extra.json');
    expect(server.requests.length).toBe(count);
  });

  test('online with a commit revision: no ref file is written for it', async () => {
    const server = await serve([gemmaRepo(ID)]);
    const snapshot = await resolveModel(ID, options(server, { revision: COMMIT }));
    expect(snapshot).toBe(join(cacheDir, REPO_DIR, 'snapshots', COMMIT));
    expect(await readdir(join(cacheDir, REPO_DIR)).then((d) => d.sort())).toEqual(['blobs', 'snapshots']);
  });
});

describe('input validation happens before any request', () => {
  test.each([
    'org/../etc',
    'org/name/extra',
    'org--x/name',
    'org/.hidden',
    'org/name.git',
    'org/na me',
    'org/',
    '/name',
    'single',
    '',
  ])('model id %j is rejected', async (id) => {
    const server = await serve([gemmaRepo(ID)]);
    const error = await resolveModel(id, options(server)).catch((e) => e);
    expect(error instanceof InvalidModelIdError || error instanceof LocalModelNotFoundError).toBe(true);
    expect(server.requests).toEqual([]);
  });

  test('path-like values are local paths, never model ids', async () => {
    const server = await serve([gemmaRepo(ID)]);
    for (const value of ['../models--x', './org/name', '/definitely/not/here']) {
      const error = await resolveModel(value, options(server)).catch((e) => e);
      expect(error).toBeInstanceOf(LocalModelNotFoundError);
      expect(error.problem).toBe('missing');
    }
    expect(server.requests).toEqual([]);
  });

  test.each(['../../etc', '/abs', 'a//b', 'main\0', 'feat/./x'])(
    'revision %j is rejected',
    async (revision) => {
      const server = await serve([gemmaRepo(ID)]);
      await expect(resolveModel(ID, options(server, { revision }))).rejects.toBeInstanceOf(
        InvalidRevisionError,
      );
      expect(server.requests).toEqual([]);
    },
  );

  test('unsafe file names, asked for or listed by the server, are refused', async () => {
    const evil = gemmaRepo(ID, {
      files: { ...gemmaFiles(), '../../escape.json': { content: Buffer.from('{}') } },
    });
    const server = await serve([evil]);
    await expect(resolveModel(ID, options(server, { files: ['../x.json'] }))).rejects.toBeInstanceOf(
      UnsafeFileNameError,
    );
    expect(server.requests).toEqual([]);
    const error = await resolveModel(ID, options(server, { files: () => true })).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeFileNameError);
    expect(error.file).toBe('../../escape.json');
    expect(server.requests.map((r) => r.path)).toEqual([`/api/models/${ID}/revision/main`]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderCacheStats } from './metrics.js';
import { loadPipelineBackend, type PipelineBackend } from './pipeline-backend.js';
import { Gemma3Server } from './server.js';
import { FakeBackend } from './test-utils/fake-backend.js';
import { gradientPngDataUri } from './test-utils/png.js';

/** The value of one unlabelled series in Prometheus text, or undefined when it is absent. */
function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('backend cache figures on /metrics', () => {
  test('keys ending in _total are counters, others gauges; bad keys and values are left out', () => {
    const text = renderCacheStats({
      image_cache_hits_total: 3,
      image_cache_bytes: 2048,
      'bad key': 1,
      Upper: 1,
      image_cache_misses_total: Number.NaN,
    }).join('\n');
    expect(text).toBe(
      [
        '# HELP gemma3_image_cache_hits_total image cache hits (from the model backend).',
        '# TYPE gemma3_image_cache_hits_total counter',
        'gemma3_image_cache_hits_total 3',
        '# HELP gemma3_image_cache_bytes image cache bytes (from the model backend).',
        '# TYPE gemma3_image_cache_bytes gauge',
        'gemma3_image_cache_bytes 2048',
      ].join('\n'),
    );
  });

  test('a backend without cacheStats adds nothing; one with it is read at every scrape', async () => {
    let hits = 0;
    const backend = Object.assign(new FakeBackend(), {
      cacheStats: () => ({ image_cache_hits_total: hits }),
    });
    const plain = new Gemma3Server({ backend: new FakeBackend(), log: () => {} });
    const server = new Gemma3Server({ backend, log: () => {} });
    await Promise.all([plain.ready, server.ready]);
    expect(plain.metrics.render()).not.toMatch(/cache/);
    expect(metric(server.metrics.render(), 'gemma3_image_cache_hits_total')).toBe(0);
    hits = 5;
    expect(metric(server.metrics.render(), 'gemma3_image_cache_hits_total')).toBe(5);
  });
});

// The real adapter on tiny-vlm: the same image in two chat turns is encoded once.
describe('image feature cache of the real pipeline backend (tiny-vlm)', { timeout: 60_000 }, () => {
  let root: string;
  let backend: PipelineBackend;
  let server: Gemma3Server;
  let url: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gemma3-server-cache-'));
    const dir = join(root, 'tiny-vlm');
    await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: dir, seed: 0 });
    backend = await loadPipelineBackend(dir, { cacheDir: join(root, 'onnx-cache'), progress: false });
    server = new Gemma3Server({ backend, log: () => {} });
    url = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
  }, 120_000);

  afterAll(async () => {
    await server?.close(1_000);
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('turn 2 reuses the KV prefix (no image lookup); a new conversation with the image is a feature-cache hit', async () => {
    const image = { type: 'image_url', image_url: { url: gradientPngDataUri(24, 16) } };
    const ask = (messages: unknown[]) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-vlm', messages, max_tokens: 2, temperature: 0 }),
      }).then((r) => r.json() as Promise<{ choices: { message: { content: string } }[] }>);
    const turn1 = [{ role: 'user', content: [image, { type: 'text', text: 'What is it?' }] }];
    const first = await ask(turn1);
    const turn2 = [
      ...turn1,
      { role: 'assistant', content: first.choices[0]!.message.content },
      { role: 'user', content: 'And the colour?' },
    ];
    await ask(turn2);
    // turn 2 starts with turn 1: its KV state (the image's included) is reused, the tower not asked
    let text = await (await fetch(`${url}/metrics`)).text();
    expect(metric(text, 'gemma3_prefix_cache_hits_total')).toBe(1);
    expect(metric(text, 'gemma3_prefix_cache_reused_tokens_total')).toBeGreaterThan(
      (backend.pipeline.model as { config: { mm_tokens_per_image: number } }).config.mm_tokens_per_image,
    );
    expect(metric(text, 'gemma3_image_cache_hits_total')).toBe(0);
    // a new conversation (a system prompt first) with the same image: its features come from the cache
    await ask([{ role: 'system', content: 'Be brief.' }, ...turn1]);
    text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/# TYPE gemma3_image_cache_hits_total counter/);
    expect(text).toMatch(/# TYPE gemma3_image_cache_bytes gauge/);
    expect(metric(text, 'gemma3_image_cache_misses_total')).toBe(1);
    expect(metric(text, 'gemma3_image_cache_hits_total')).toBe(1);
    expect(metric(text, 'gemma3_image_cache_evictions_total')).toBe(0);
    expect(metric(text, 'gemma3_image_cache_entries')).toBe(1);
    const config = (
      backend.pipeline.model as {
        config: { mm_tokens_per_image: number; text_config: { hidden_size: number } };
      }
    ).config;
    expect(metric(text, 'gemma3_image_cache_bytes')).toBe(
      config.mm_tokens_per_image * config.text_config.hidden_size * 4,
    );
  });
});

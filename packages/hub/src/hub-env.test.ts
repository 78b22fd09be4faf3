import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hfHome, hubCacheDir, hubEndpoint, hubOffline, hubToken } from './hub-env.js';

describe('cache folder precedence (as huggingface_hub)', () => {
  test('HF_HUB_CACHE wins over HUGGINGFACE_HUB_CACHE, HF_HOME and XDG_CACHE_HOME', () => {
    const env = { HF_HUB_CACHE: '/a', HUGGINGFACE_HUB_CACHE: '/b', HF_HOME: '/c', XDG_CACHE_HOME: '/d' };
    expect(hubCacheDir(env)).toBe('/a');
  });
  test('then the legacy HUGGINGFACE_HUB_CACHE', () => {
    expect(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/b', HF_HOME: '/c' })).toBe('/b');
  });
  test('then HF_HOME/hub', () => {
    expect(hubCacheDir({ HF_HOME: '/c', XDG_CACHE_HOME: '/d' })).toBe(join('/c', 'hub'));
  });
  test('then XDG_CACHE_HOME/huggingface/hub, then ~/.cache/huggingface/hub', () => {
    expect(hubCacheDir({ XDG_CACHE_HOME: '/d' })).toBe(join('/d', 'huggingface', 'hub'));
    expect(hubCacheDir({})).toBe(join(homedir(), '.cache', 'huggingface', 'hub'));
  });
  test('empty values count as unset and ~ is expanded', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '', HF_HOME: '~/hf' })).toBe(join(homedir(), 'hf', 'hub'));
    expect(hfHome({ HF_HOME: '  ' })).toBe(join(homedir(), '.cache', 'huggingface'));
  });
});

describe('endpoint, offline flag and token', () => {
  test('HF_ENDPOINT without its trailing slash, else huggingface.co', () => {
    expect(hubEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:8080/' })).toBe('http://127.0.0.1:8080');
    expect(hubEndpoint({})).toBe('https://huggingface.co');
  });

  test.each([
    ['1', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['', false],
  ])('HF_HUB_OFFLINE=%j -> %s', (value, offline) => {
    expect(hubOffline({ HF_HUB_OFFLINE: value })).toBe(offline);
  });

  test('HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file under HF_HOME, then none', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gemma3-hf-home-'));
    try {
      expect(hubToken({ HF_HOME: home })).toBeUndefined();
      await writeFile(join(home, 'token'), 'hf_from_file\n');
      expect(hubToken({ HF_HOME: home })).toBe('hf_from_file');
      expect(hubToken({ HF_HOME: home, HUGGING_FACE_HUB_TOKEN: 'hf_old' })).toBe('hf_old');
      expect(hubToken({ HF_HOME: home, HUGGING_FACE_HUB_TOKEN: 'hf_old', HF_TOKEN: 'hf_new' })).toBe(
        'hf_new',
      );
      await writeFile(join(home, 'other'), 'hf_path');
      expect(hubToken({ HF_HOME: home, HF_TOKEN_PATH: join(home, 'other') })).toBe('hf_path');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

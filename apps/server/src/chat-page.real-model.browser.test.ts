import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackendResult } from './backend.js';
import { loadPipelineBackend } from './pipeline-backend.js';
import { Gemma3Server } from './server.js';
import {
  hasChromium,
  launchChromium,
  openChatPage,
  sendAndWait,
  warnIfNoChromium,
} from './test-utils/chromium.js';
import { gradientPng } from './test-utils/png.js';

// A real conversation with an image from the page: the tiny-vlm random checkpoint (real Gemma 3
// tokenizer and processor, random weights: the words are noise, the path is the real one).
warnIfNoChromium('chat page real-model browser test');

describe.skipIf(!hasChromium)('chat page with the tiny-vlm checkpoint', { timeout: 120_000 }, () => {
  let root: string;
  let server: Gemma3Server;
  let url: string;
  let browser: Browser;
  /** What the model generated for each request, as the server streamed it (text, tokens, finish). */
  const answers: BackendResult[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gemma3-chat-page-'));
    const dir = join(root, 'tiny-vlm');
    await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: dir, seed: 0 });
    const backend = await loadPipelineBackend(dir, { cacheDir: join(root, 'onnx-cache'), progress: false });
    const generate = backend.generate.bind(backend);
    backend.generate = async (...args) => {
      const answer = await generate(...args);
      answers.push(answer);
      return answer;
    };
    server = new Gemma3Server({ backend, log: () => {} });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close(1_000);
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('ask about an image, then a follow-up: the page shows and keeps what the model streamed', async () => {
    const { page, errors, requests } = await openChatPage(browser, url, 'tiny-vlm');
    await page.click('#open-settings');
    await page.fill('#temperature', '0');
    await page.fill('#maxTokens', '8');
    await page.keyboard.press('Escape');
    const png = gradientPng(64, 48);
    await page.setInputFiles('#image', { name: 'gradient.png', mimeType: 'image/png', buffer: png });
    await page.locator('#attachments .pending img').waitFor();
    await sendAndWait(page, 'What is in this picture?');
    expect(await page.locator('.msg.assistant').getAttribute('data-done')).toBe('true');
    expect(await page.locator('.msg.user img.thumb').count()).toBe(1);

    // What the page kept and shows is what the model generated (the backend's result, whose text is
    // the concatenation of the streamed pieces): its text, token count and finish reason. (Read on the
    // server side: the browser's copy of a streamed body is not reliably available to the test.)
    const streamed = answers[0]!.text;
    const finish = answers[0]!.finishReason;
    const tokens = answers[0]!.completionTokens;
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(8);
    expect(streamed.length).toBeGreaterThan(0);
    const image = `data:image/png;base64,${png.toString('base64')}`;
    const stored = (await page.evaluate(
      `JSON.parse(localStorage.getItem('gemma3.chat.' + localStorage.getItem('gemma3.current')))`,
    )) as { messages: { role: string; text: string; images?: string[] }[] };
    expect(stored.messages[0]!.images).toEqual([image]);
    expect(stored.messages[1]!.text).toBe(streamed);
    expect(await page.locator('.msg.assistant .stats').textContent()).toMatch(
      new RegExp(`s to first token · .*${tokens} tokens? · ${finish}$`),
    );
    const question = [
      { type: 'image_url', image_url: { url: image } },
      { type: 'text', text: 'What is in this picture?' },
    ];
    expect(requests[0]!.body).toMatchObject({
      model: 'tiny-vlm',
      messages: [{ role: 'user', content: question }],
      temperature: 0,
      max_tokens: 8,
    });

    // The follow-up sends the image again with the history, and is answered.
    await sendAndWait(page, 'And the colours?');
    expect(await page.locator('.msg.assistant').nth(1).getAttribute('data-done')).toBe('true');
    const followUp = requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    expect(followUp.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(followUp.messages[0]!.content).toEqual(question);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

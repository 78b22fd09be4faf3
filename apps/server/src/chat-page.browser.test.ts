import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, TINY_PNG_DATA_URI } from './test-utils/start-server.js';

// The chat page in a real browser: Debian's chromium (apt-get install chromium) driven by playwright-core.
const CHROMIUM = process.env.GEMMA3_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `[server] chat page browser test skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set GEMMA3_CHROMIUM)`,
  );
}

describe.skipIf(!hasChromium)('chat page in headless chromium', { timeout: 60_000 }, () => {
  let t: TestServer;
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await startTestServer({ stepMs: 30, answerWords: 6 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test('type a message, attach an image, watch the answer stream in', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.url}/`);
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    await page.fill('#input', 'What is in this picture?');
    await page.setInputFiles('#image', {
      name: 'tiny.png',
      mimeType: 'image/png',
      buffer: Buffer.from(TINY_PNG_DATA_URI.split(',')[1]!, 'base64'),
    });
    await page.locator('#preview:not([hidden])').waitFor();
    await page.click('#send');
    const answer = page.locator('.msg.assistant').last();
    // Streaming: a partial answer is visible before the end.
    await page.waitForFunction(`(() => {
      const text = document.querySelector('.msg.assistant')?.textContent ?? '';
      return text.startsWith('w0') && !text.includes('w5');
    })()`);
    await page.locator('.msg.assistant[data-done="true"]').waitFor();
    expect(await answer.textContent()).toBe('w0 w1 w2 w3 w4 w5');
    expect(await page.locator('.msg.user img').count()).toBe(1);
    const sent = t.backend.calls.at(-1)!.input as {
      messages: { role: string; content: { type: string }[] }[];
    };
    expect(sent.messages.at(-1)!.content.map((p) => p.type)).toEqual(['image', 'text']);
    // A second turn sends the history.
    await page.fill('#input', 'And now?');
    await page.press('#input', 'Enter');
    await page.locator('.msg.assistant[data-done="true"]').nth(1).waitFor();
    const second = t.backend.calls.at(-1)!.input as { messages: { role: string }[] };
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('Stop cancels the stream (the server stops generating)', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    await page.click('summary');
    await page.fill('#maxTokens', '100');
    const before = t.backend.aborted;
    const slow = t.backend.calls.length;
    // This answer runs until max_tokens (100 steps of 30 ms) unless stopped.
    t.backend.answerWords = 1_000_000;
    await page.fill('#input', 'Talk forever');
    await page.click('#send');
    await page.locator('.msg.assistant', { hasText: 'w2' }).waitFor();
    await page.click('#stop');
    await page.locator('.msg.assistant[data-done="stopped"]').waitFor();
    const deadline = Date.now() + 5_000;
    while (t.backend.aborted === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(t.backend.aborted).toBe(before + 1);
    expect(t.backend.calls.length).toBe(slow + 1);
    t.backend.answerWords = 6;
    await page.close();
  });

  test('an API error is shown in the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    await page.click('summary');
    await page.fill('#temperature', '5');
    await page.fill('#input', 'hi');
    await page.click('#send');
    await page.locator('.msg.error').waitFor();
    expect(await page.locator('.msg.error').textContent()).toMatch(/temperature.*must be in \[0, 2\]/);
    await page.close();
  });
});

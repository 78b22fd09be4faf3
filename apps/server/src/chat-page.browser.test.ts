import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  hasChromium,
  launchChromium,
  openChatPage,
  sendAndWait,
  warnIfNoChromium,
} from './test-utils/chromium.js';
import { gradientPng } from './test-utils/png.js';
import { startTestServer, type TestServer } from './test-utils/start-server.js';

// The chat page against the fake backend, which answers with scripted Markdown (the real model's
// conversation is in chat-page.real-model.browser.test.ts).
warnIfNoChromium('chat page browser test');

const MARKDOWN_ANSWER = [
  'The picture is a smooth **colour gradient**:',
  '',
  '| corner | colour |',
  '| --- | --- |',
  '| top left | navy |',
  '| bottom right | yellow |',
  '',
  '1. red grows to the right',
  '2. green grows downwards',
  '',
  'To ask about it from code:',
  '',
  '```js',
  "const out = await client.chat.completions.create({ model: 'gemma-3-4b-it', messages });",
  'console.log(out.choices[0].message.content);',
  '```',
].join('\n');

const CODE = [
  "const out = await client.chat.completions.create({ model: 'gemma-3-4b-it', messages });",
  'console.log(out.choices[0].message.content);',
  '',
].join('\n');

// Answers that would run script if model output were inserted as HTML, or linked as given.
const HOSTILE_ANSWER = [
  '<img src=x onerror="window.__pwned = 1">',
  '<script>window.__pwned = 2</script>',
  '<iframe srcdoc="<script>parent.__pwned = 3</script>"></iframe>',
  '[a link](javascript:window.__pwned=4) [upper](JaVaScRiPt:window.__pwned=5)',
  '[entity](&#106;avascript:window.__pwned=6) [data](data:text/html,<script>alert(7)</script>)',
  '<javascript:window.__pwned=8> ![pic](javascript:window.__pwned=9) ![remote](http://127.0.0.1:9/x.png)',
  '<a href="javascript:window.__pwned=10">raw</a> <svg onload="window.__pwned=11"></svg>',
  '',
  '```html',
  '</code></pre><img src=x onerror="window.__pwned=12">',
  '```',
].join('\n');

const SCREENSHOTS = process.env.GEMMA3_UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../docs/', import.meta.url))
  : join(tmpdir(), 'gemma3-chat-page-screenshots');

const picture = { name: 'gradient.png', mimeType: 'image/png', buffer: gradientPng(96, 64) };

describe.skipIf(!hasChromium)('chat page in headless chromium', { timeout: 60_000 }, () => {
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestServer({ stepMs: 15, answerWords: 6, contextLength: 8192 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const open = (options: BrowserContextOptions = {}) => openChatPage(browser, t.url, 'fake-gemma', options);

  test('a conversation with an image: Markdown streams in, figures, the image stays in the history', async () => {
    const { page, errors, requests } = await open();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    t.backend.answerText = MARKDOWN_ANSWER;
    await page.setInputFiles('#image', picture);
    await page.locator('#attachments .pending img').waitFor();
    await page.fill('#input', 'What is in this picture?');
    await page.press('#input', 'Enter');
    // Streaming: part of the answer is on the page, rendered, before the answer ends.
    // (Polled from here: the page's CSP forbids the eval that page.waitForFunction uses.)
    await waitFor(() =>
      page.evaluate(`(() => {
        const answer = document.querySelector('.msg.assistant');
        return answer?.dataset.done === 'streaming' && answer.querySelector('strong')?.textContent === 'colour gradient';
      })()`),
    );
    const answer = page.locator('.msg.assistant[data-done="true"]');
    await answer.waitFor();
    expect(await answer.locator('table tr').count()).toBe(3);
    expect(await answer.locator('td').first().textContent()).toBe('top left');
    expect(await answer.locator('ol > li').allTextContents()).toEqual([
      'red grows to the right',
      'green grows downwards',
    ]);
    expect(await answer.locator('.code-bar span').textContent()).toBe('js');
    expect(await answer.locator('pre code').textContent()).toBe(CODE);
    await answer.locator('.copy-code').click();
    await answer.locator('.copy-code', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(CODE);
    const tokens = MARKDOWN_ANSWER.match(/\s*\S+/g)!.length;
    expect(await answer.locator('.stats').textContent()).toMatch(
      new RegExp(`^\\d+\\.\\d\\d s to first token · \\d+\\.\\d tokens/s · ${tokens} tokens · stop$`),
    );
    // The image is shown in the message, and went to the model before the text.
    expect(await page.locator('.msg.user img.thumb').count()).toBe(1);
    expect(await page.locator('#attachments').isHidden()).toBe(true);
    const first = t.backend.calls.at(-1)!.input as {
      messages: { role: string; content: { type: string }[] }[];
    };
    expect(first.messages.at(-1)!.content.map((p) => p.type)).toEqual(['image', 'text']);
    // The request: streamed with usage, and the conversation's id for sticky routing.
    const conversationId = await page.evaluate(`localStorage.getItem('gemma3.current')`);
    expect(conversationId).toMatch(/^[0-9a-f]{24}$/);
    expect(requests[0]!.headers['x-conversation-id']).toBe(conversationId);
    expect(requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // A second turn sends the whole history, the image included.
    t.backend.answerText = undefined;
    await sendAndWait(page, 'And the colours?');
    const second = t.backend.calls.at(-1)!.input as {
      messages: { role: string; content: string | { type: string }[] }[];
    };
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect((second.messages[0]!.content as { type: string }[]).map((p) => p.type)).toEqual(['image', 'text']);
    expect(requests[1]!.headers['x-conversation-id']).toBe(conversationId);
    // Only the last answer offers Regenerate (an earlier one would drop the turns after it).
    expect(await page.locator('.msg.assistant .regenerate').count()).toBe(2);
    expect(await page.locator('.msg.assistant .regenerate:visible').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('hostile answers stay text: no script runs, no javascript: link, no remote image', async () => {
    const { page, errors } = await open();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    t.backend.answerText = HOSTILE_ANSWER;
    await sendAndWait(page, 'Say something nasty');
    t.backend.answerText = undefined;
    const body = page.locator('.msg.assistant .markdown');
    // The tags are shown as the text they are.
    expect(await body.textContent()).toContain('<img src=x onerror="window.__pwned = 1">');
    expect(await body.textContent()).toContain('<script>window.__pwned = 2</script>');
    expect(await body.locator('img, script, iframe, svg, object, embed').count()).toBe(0);
    const found = (await page.evaluate(`(() => {
      const body = document.querySelector('.msg.assistant .markdown');
      const hrefs = [...body.querySelectorAll('a')].map((a) => a.href);
      const handlers = [...body.querySelectorAll('*')].flatMap((n) =>
        [...n.attributes].map((a) => a.name).filter((name) => name.startsWith('on')));
      return { hrefs, handlers, pwned: window.__pwned ?? null };
    })()`)) as { hrefs: string[]; handlers: string[]; pwned: number | null };
    expect(found.handlers).toEqual([]);
    expect(found.pwned).toBeNull();
    // Only the remote image's address is left, as a plain link (never fetched as an image).
    expect(found.hrefs).toEqual(['http://127.0.0.1:9/x.png']);
    // Clicking the places where links were must not run anything either.
    for (const link of await body.locator('a').all()) await link.click({ modifiers: ['Control'] });
    await page.waitForTimeout(200);
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    // The sanitiser itself, on HTML that markdown-it would never produce. (Chromium reports the
    // handlers in the parsed input as CSP violations at parse time, in an inert document; they
    // never run: __pwned stays unset.)
    const sanitised = await page.evaluate(`import('/js/markdown.js').then(({ sanitizeHtml }) => {
      const box = document.createElement('div');
      box.append(sanitizeHtml(
        '<img src=x onerror="window.__pwned=20"><a href="javascript:window.__pwned=21">x</a>' +
        '<svg><animate onbegin="window.__pwned=22"/></svg><form action="javascript:1"><button>b</button></form>' +
        '<iframe srcdoc="x"></iframe><a href="https://example.org/">ok</a><p style="color: red" id="clobber">p</p>'));
      return box.innerHTML;
    })`);
    expect(sanitised).toBe(
      '<a>x</a>b<a href="https://example.org/" target="_blank" rel="noopener noreferrer nofollow">ok</a><p style="color: red">p</p>',
    );
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    // And the page's policy would stop an inline script or a remote image that got through.
    const res = await fetch(`${t.url}/`);
    expect(res.headers.get('content-security-policy')).toMatch(
      /script-src 'self'; .*img-src 'self' data: blob:/,
    );
    expect(errors.filter((e) => !e.startsWith('Executing inline event handler violates'))).toEqual([]);
    await page.context().close();
  });

  test('conversations are kept: reload, switch, rename, delete, new chat', async () => {
    const { page, errors } = await open();
    await sendAndWait(page, 'First question');
    await page.click('#new-chat');
    expect(await page.locator('.msg').count()).toBe(0);
    await sendAndWait(page, 'Second question\nwith two lines');
    expect(await page.locator('#conversations .open').allTextContents()).toEqual([
      'Second question',
      'First question',
    ]);
    await page.reload();
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    // The last conversation is open again, with its answer.
    expect(await page.locator('#title').textContent()).toBe('Second question');
    expect(await page.locator('.msg.user .body').textContent()).toBe('Second question\nwith two lines');
    expect(await page.locator('.msg.assistant').textContent()).toContain('w0 w1 w2 w3 w4 w5');
    await page.locator('#conversations .open', { hasText: 'First question' }).click();
    expect(await page.locator('.msg.user .body').textContent()).toBe('First question');
    // Rename (Enter keeps it), and it is kept.
    await page.locator('#conversations li.current').hover();
    await page.locator('#conversations li.current .rename').click();
    await page.fill('.rename-input', 'Renamed chat');
    await page.press('.rename-input', 'Enter');
    expect(await page.locator('#title').textContent()).toBe('Renamed chat');
    await page.reload();
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    // Renaming does not reorder: the list is by last message.
    expect(await page.locator('#conversations .open').allTextContents()).toEqual([
      'Second question',
      'Renamed chat',
    ]);
    // Delete (shown on hover) asks again on the same button.
    await page.locator('#conversations li.current').hover();
    await page.locator('#conversations li.current .delete').click();
    expect(await page.locator('#conversations li').count()).toBe(2);
    await page.locator('#conversations li.current .delete[data-armed]').click();
    expect(await page.locator('#conversations .open').allTextContents()).toEqual(['Second question']);
    expect(await page.locator('#title').textContent()).toBe('Second question');
    expect(
      await page.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("gemma3.chat.")).length'),
    ).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('edit a message and regenerate; Stop and Esc stop; an error shows the server message and Retry', async () => {
    const { page, errors } = await open();
    await sendAndWait(page, 'hello there');
    await page.locator('.msg.user').hover();
    await page.locator('.msg.user .edit').click();
    await page.fill('.msg.user .edit-text', 'hello again');
    await page.locator('.msg.user .save-edit').click();
    await page.locator('.msg.assistant[data-done="true"]').waitFor();
    expect(await page.locator('.msg').count()).toBe(2);
    expect(await page.locator('.msg.user .body').textContent()).toBe('hello again');
    const edited = t.backend.calls.at(-1)!.input as { messages: { content: { text?: string }[] }[] };
    expect(edited.messages.map((m) => m.content.map((p) => p.text))).toEqual([['hello again']]);
    // Regenerate the last answer: the same turns again.
    const calls = t.backend.calls.length;
    await page.locator('.msg.assistant .regenerate').click();
    await page.locator('.msg.assistant[data-done="true"]').waitFor();
    expect(t.backend.calls.length).toBe(calls + 1);
    expect(await page.locator('.msg').count()).toBe(2);

    // Stop: the Stop button, then Esc; the server's generation ends each time.
    t.backend.answerWords = 1_000_000;
    for (const how of ['button', 'Escape'] as const) {
      const aborted = t.backend.aborted;
      await page.fill('#input', 'Talk forever');
      await page.press('#input', 'Enter');
      await page.locator('.msg.assistant[data-done="streaming"]', { hasText: 'w2' }).waitFor();
      if (how === 'button') await page.click('#stop');
      else await page.keyboard.press('Escape');
      await page.locator('.msg.assistant[data-done="stopped"]').last().waitFor();
      await waitFor(async () => t.backend.aborted === aborted + 1);
      expect(await page.locator('.msg.assistant .stats').last().textContent()).toMatch(/stopped$/);
    }
    t.backend.answerWords = 6;

    // An error shows the server's message; Retry after fixing the setting answers.
    await setSetting(page, '#temperature', '5');
    await sendAndWait(page, 'hi');
    const failed = page.locator('.msg.assistant').last();
    expect(await failed.getAttribute('data-done')).toBe('error');
    expect(await failed.locator('.error-text').textContent()).toMatch(/temperature.*must be in \[0, 2\]/);
    await setSetting(page, '#temperature', '');
    await failed.locator('.retry').click();
    await page.locator('.msg.assistant').last().and(page.locator('[data-done="true"]')).waitFor();
    expect(await page.locator('.msg.error').count()).toBe(0);

    // A stream cut before [DONE] (a proxy or the network dropping it) is an error too, not an answer.
    await page.route('**/v1/chat/completions', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: 'data: {"choices":[{"index":0,"delta":{"content":"Half an"},"finish_reason":null}]}\n\n',
      }),
    );
    await sendAndWait(page, 'cut me off');
    const cut = page.locator('.msg.assistant').last();
    expect(await cut.getAttribute('data-done')).toBe('error');
    expect(await cut.locator('.markdown p').textContent()).toBe('Half an');
    expect(await cut.locator('.error-text').textContent()).toBe(
      'The connection closed before the answer was complete.',
    );
    await page.unroute('**/v1/chat/completions');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('settings are sent and remembered; JSON mode sends response_format and shows a 400', async () => {
    const { page, errors, requests } = await open();
    await setSetting(page, '#system', 'Answer briefly.');
    await setSetting(page, '#temperature', '0.7');
    await setSetting(page, '#topK', '40');
    await setSetting(page, '#topP', '0.9');
    await setSetting(page, '#maxTokens', '50');
    await setSetting(page, '#seed', '7');
    await sendAndWait(page, 'hi');
    expect(requests.at(-1)!.body).toMatchObject({
      temperature: 0.7,
      top_k: 40,
      top_p: 0.9,
      max_tokens: 50,
      seed: 7,
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
    });
    expect(requests.at(-1)!.body).not.toHaveProperty('response_format');
    const sampling = t.backend.calls.at(-1)!.sampling;
    expect(sampling).toMatchObject({ temperature: 0.7, topK: 40, topP: 0.9, maxTokens: 50, seed: 7 });

    // A server without response_format answers 400: the page shows its message.
    await page.route('**/v1/chat/completions', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            message: "'response_format' is not supported by this server",
            type: 'invalid_request_error',
            param: 'response_format',
            code: 'unsupported_parameter',
          },
        }),
      }),
    );
    await page.click('#open-settings');
    await page.selectOption('#responseFormat', 'json_object');
    await page.keyboard.press('Escape');
    await sendAndWait(page, 'as JSON please');
    expect(requests.at(-1)!.body.response_format).toEqual({ type: 'json_object' });
    expect(await page.locator('.msg.assistant').last().locator('.error-text').textContent()).toBe(
      "'response_format' is not supported by this server",
    );
    await page.unroute('**/v1/chat/completions');

    // A schema is checked before it is sent.
    await page.click('#open-settings');
    await page.selectOption('#responseFormat', 'json_schema');
    await page.fill('#jsonSchema', '{"type": "object"');
    expect(await page.locator('#schema-error').textContent()).toMatch(/not valid JSON/);
    await page.fill('#jsonSchema', '{"type": "object", "properties": {"colour": {"type": "string"}}}');
    expect(await page.locator('#schema-error').isHidden()).toBe(true);
    await page.keyboard.press('Escape');

    // The theme setting beats the system's preference (light here).
    await page.click('#open-settings');
    await page.selectOption('#theme', 'dark');
    await page.keyboard.press('Escape');
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(22, 24, 28)');

    // Remembered across a reload.
    await page.reload();
    await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
    expect(
      await page.evaluate(`['system', 'temperature', 'topK', 'topP', 'maxTokens', 'seed', 'responseFormat']
        .map((id) => document.getElementById(id).value)`),
    ).toEqual(['Answer briefly.', '0.7', '40', '0.9', '50', '7', 'json_schema']);
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('a server with an API key: its 401 is shown until the key is set, then the key is sent', async () => {
    const locked = await startTestServer({ answerWords: 2 }, { apiKey: 'sekrit' });
    try {
      const { page, errors, requests } = await openChatPage(browser, locked.url, null);
      await page.locator('#status', { hasText: /API key/i }).waitFor();
      await setSetting(page, '#apiKey', 'sekrit');
      await page.locator('#status', { hasText: 'model: fake-gemma' }).waitFor();
      await sendAndWait(page, 'hi');
      expect(await page.locator('.msg.assistant').getAttribute('data-done')).toBe('true');
      expect(requests[0]!.headers.authorization).toBe('Bearer sekrit');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await locked.close();
    }
  });

  test('images by drop and paste too; remove one before sending; a thumbnail opens full size', async () => {
    const { page, errors } = await open();
    const png = gradientPng(40, 30).toString('base64');
    const transfer = (event: string, target: string) => `(() => {
      const bytes = Uint8Array.from(atob('${png}'), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      const init = { bubbles: true, cancelable: true, ${event === 'paste' ? 'clipboardData' : 'dataTransfer'}: data };
      ${target}.dispatchEvent(${event === 'paste' ? `new ClipboardEvent('paste', init)` : `new DragEvent('${event}', init)`});
    })()`;
    await page.evaluate(transfer('dragenter', 'document.body'));
    expect(await page.locator('#drop-overlay').isVisible()).toBe(true);
    await page.evaluate(transfer('drop', 'document.body'));
    await page.locator('#attachments .pending').first().waitFor();
    expect(await page.locator('#drop-overlay').isHidden()).toBe(true);
    await page.focus('#input');
    await page.evaluate(transfer('paste', 'document.activeElement'));
    await page.locator('#attachments .pending').nth(1).waitFor();
    await page.setInputFiles('#image', picture);
    await page.locator('#attachments .pending').nth(2).waitFor();
    await page.locator('#attachments .pending .remove').nth(1).click();
    expect(await page.locator('#attachments .pending').count()).toBe(2);
    await sendAndWait(page, 'Two pictures');
    expect(await page.locator('.msg.user img.thumb').count()).toBe(2);
    const sent = t.backend.calls.at(-1)!.input as { messages: { content: { type: string }[] }[] };
    expect(sent.messages[0]!.content.map((p) => p.type)).toEqual(['image', 'image', 'text']);
    await page.locator('.msg.user img.thumb').first().click();
    await page.locator('#lightbox[open] img').waitFor();
    expect(await page.locator('#lightbox img').getAttribute('src')).toBe(`data:image/png;base64,${png}`);
    await page.locator('#lightbox').click();
    expect(await page.locator('#lightbox[open]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('screenshots: desktop, phone, dark', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const shots: [string, BrowserContextOptions][] = [
      ['chat-desktop.png', { viewport: { width: 1100, height: 720 } }],
      ['chat-phone.png', { viewport: { width: 390, height: 780 }, deviceScaleFactor: 1, isMobile: true }],
      ['chat-dark.png', { viewport: { width: 1100, height: 720 }, colorScheme: 'dark' }],
    ];
    for (const [file, options] of shots) {
      const { page, errors } = await open(options);
      t.backend.answerText = 'A short one: **Gemma 3** runs here, on this machine.';
      await sendAndWait(page, 'Where do you run?');
      if (options.isMobile) await page.click('#menu');
      await page.click('#new-chat');
      await page.setInputFiles('#image', { ...picture, buffer: gradientPng(320, 200) });
      await page.fill('#input', 'What is in this picture? Then show how to ask from code.');
      t.backend.answerText = MARKDOWN_ANSWER;
      await page.press('#input', 'Enter');
      await page.locator('.msg.assistant[data-done="true"]').waitFor();
      t.backend.answerText = undefined;
      // Dark by the system's preference (or the theme setting), light otherwise.
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe(options.colorScheme === 'dark' ? 'rgb(22, 24, 28)' : 'rgb(255, 255, 255)');
      if (options.isMobile) {
        // The phone layout: one column, conversations behind the menu button.
        expect(await page.locator('#sidebar').isVisible()).toBe(true);
        expect((await page.locator('#sidebar').boundingBox())!.x).toBeLessThan(0);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBe(0);
      }
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(SCREENSHOTS, file) });
      expect((await stat(join(SCREENSHOTS, file))).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});

async function setSetting(page: Page, selector: string, value: string): Promise<void> {
  await page.click('#open-settings');
  await page.fill(selector, value);
  await page.keyboard.press('Escape');
  await page.locator('#settings').and(page.locator(':not([open])')).waitFor({ state: 'attached' });
}

async function waitFor(condition: () => Promise<unknown>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

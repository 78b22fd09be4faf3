import { existsSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

// The chat page in a real browser: Debian's chromium (apt-get install chromium) driven by playwright-core.
export const CHROMIUM = process.env.GEMMA3_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Says once, for a test file, why its browser tests are skipped. */
export function warnIfNoChromium(what: string): void {
  if (!hasChromium) {
    console.warn(
      `[server] ${what} skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set GEMMA3_CHROMIUM)`,
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
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
}

export interface ChatPage {
  page: Page;
  /** Uncaught errors and console errors (CSP violations too) of the page (a test expects none). */
  errors: string[];
  /** Every POST /v1/chat/completions the page sent: its headers and JSON body. */
  requests: { headers: Record<string, string>; body: Record<string, unknown> }[];
}

/**
 * The chat page in a fresh browser context (its own localStorage), once it has found the model
 * (`model` null: without waiting for that).
 */
export async function openChatPage(
  browser: Browser,
  url: string,
  model: string | null,
  options: BrowserContextOptions = {},
): Promise<ChatPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: ChatPage['requests'] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Error answers are part of the tests; the browser logs each as a failed resource.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/v1/chat/completions')) {
      requests.push({ headers: r.headers(), body: r.postDataJSON() });
    }
  });
  await page.goto(`${url}/`);
  if (model !== null) await page.locator('#status', { hasText: `model: ${model}` }).waitFor();
  return { page, errors, requests };
}

/** Sends a message from the composer and waits until its answer has ended (any way). */
export async function sendAndWait(page: Page, text: string): Promise<void> {
  const answers = await page.locator('.msg.assistant').count();
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
  await page
    .locator('.msg.assistant')
    .nth(answers)
    .and(page.locator('[data-done="true"], [data-done="error"], [data-done="stopped"]'))
    .waitFor();
}

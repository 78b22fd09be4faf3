import OpenAI from 'openai';
import type { ChatBackend } from '../backend.js';
import { Gemma3Server, type ServerOptions } from '../server.js';
import { FakeBackend, type FakeBackendOptions } from './fake-backend.js';

export interface TestServer {
  server: Gemma3Server;
  backend: FakeBackend;
  url: string;
  logs: string[];
  client(options?: { apiKey?: string; maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

/** A Gemma3Server on 127.0.0.1 (free port) over a FakeBackend, and an `openai` client for it. */
export async function startTestServer(
  fake: FakeBackendOptions = {},
  options: Partial<Omit<ServerOptions, 'backend'>> & { backend?: ChatBackend | Promise<ChatBackend> } = {},
): Promise<TestServer> {
  const backend = new FakeBackend(fake);
  const logs: string[] = [];
  const server = new Gemma3Server({ backend, log: (line) => logs.push(line), ...options });
  const address = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    server,
    backend,
    url,
    logs,
    client: ({ apiKey = 'none', maxRetries = 0 } = {}) =>
      new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries }),
    close: () => server.close(1_000),
  };
}

/** A chat request body for the fake backend's model, with `extra` fields. */
export const chatBody = (extra: object = {}) => ({
  model: 'fake-gemma',
  messages: [{ role: 'user', content: 'go' }],
  ...extra,
});

/** Resolves once `check()` holds (polled every 2 ms); throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** POSTs raw text (or JSON) and returns status, headers and the parsed body (or the text). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A 2x2 PNG as a data: URI. */
export const TINY_PNG_DATA_URI =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';

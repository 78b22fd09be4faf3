import type { ServerResponse } from 'node:http';

/** Starts a text/event-stream response (no buffering by proxies). */
export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  response.flushHeaders();
}

/** Writes one `data: <json>` event. */
export function sendEvent(response: ServerResponse, data: unknown): void {
  if (!response.writableEnded && !response.destroyed) response.write(`data: ${JSON.stringify(data)}\n\n`);
}

/** Writes `data: [DONE]` and ends the response. */
export function endEventStream(response: ServerResponse): void {
  if (!response.writableEnded && !response.destroyed) response.end('data: [DONE]\n\n');
}

import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { PayloadTooLargeError } from '../errors/payload-too-large-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';

/**
 * Reads a JSON request body of at most `limitBytes`: refused from Content-Length when it declares
 * more (413 before reading), else counted while it streams. A body that stalls for `timeoutMs`
 * is a 408. Bad JSON is a 400 with the parser's position.
 */
export function readJsonBody(
  request: IncomingMessage,
  limitBytes: number,
  timeoutMs: number,
): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(new PayloadTooLargeError(limitBytes, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (error: unknown, value?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onError);
      if (error) {
        request.resume(); // drain (discard) the rest so the response can still be sent
        reject(error);
      } else resolve(value);
    };
    const timer = setTimeout(() => finish(new RequestTimeoutError(timeoutMs)), timeoutMs);
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limitBytes) finish(new PayloadTooLargeError(limitBytes, total));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        finish(
          new InvalidRequestError('The request body is empty; expected a JSON object', null, 'invalid_json'),
        );
        return;
      }
      try {
        finish(null, JSON.parse(text));
      } catch (error) {
        finish(
          new InvalidRequestError(
            `The request body is not valid JSON (${(error as Error).message})`,
            null,
            'invalid_json',
          ),
        );
      }
    };
    const onError = () =>
      finish(new InvalidRequestError('The request body was cut off', null, 'invalid_body'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onError);
  });
}

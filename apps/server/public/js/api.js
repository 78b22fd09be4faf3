// The server's OpenAI-compatible API: the served model, and one streamed chat completion.

/** An error answer from the server (its message as sent), or a failure to reach it. */
export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function headers(apiKey, extra = {}) {
  const h = { 'content-type': 'application/json', ...extra };
  if (apiKey) h.authorization = `Bearer ${apiKey}`;
  return h;
}

async function errorFrom(response) {
  const body = await response.json().catch(() => null);
  const error = body?.error;
  const message = error?.message ?? `HTTP ${response.status} ${response.statusText}`;
  return new ApiError(message, response.status, error?.code ?? null);
}

/** `{state, model}`: the server's health, and the model id once it is ready. */
export async function fetchModel(apiKey) {
  const health = await fetch('/health').then((r) => r.json());
  if (health.status !== 'ready') return { state: health.status, model: null };
  const response = await fetch('/v1/models', { headers: headers(apiKey) });
  if (!response.ok) throw await errorFrom(response);
  const body = await response.json();
  return { state: 'ready', model: body.data[0]?.id ?? null };
}

/**
 * POSTs a streamed chat completion and calls `onText(piece)` as text arrives. Sends
 * `X-Conversation-Id` (a proxy in front may route a conversation to one backend by it).
 * Resolves to `{finishReason, usage}` (usage from `stream_options.include_usage`, or null);
 * rejects with ApiError (the server's message), or an AbortError when `signal` fires.
 */
export async function streamChat({ body, apiKey, conversationId, signal, onText }) {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: headers(apiKey, { 'x-conversation-id': conversationId }),
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  if (!response.ok) throw await errorFrom(response);
  let finishReason = null;
  let usage = null;
  let ended = false;
  for await (const data of serverSentData(response.body)) {
    if (data === '[DONE]') {
      ended = true;
      break;
    }
    const chunk = JSON.parse(data);
    if (chunk.error) throw new ApiError(chunk.error.message, response.status, chunk.error.code ?? null);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) onText(choice.delta.content);
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  if (!ended)
    throw new ApiError('The connection closed before the answer was complete.', response.status, null);
  return { finishReason, usage };
}

/** The `data:` payloads of a text/event-stream body, one per event. */
async function* serverSentData(stream) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replaceAll('\r\n', '\n');
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, cut).split('\n');
        buffer = buffer.slice(cut + 2);
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
        if (data.length > 0) yield data.join('\n');
      }
    }
  } finally {
    // Leaving early (an error event, [DONE], an exception) closes the response too.
    await reader.cancel().catch(() => {});
  }
}

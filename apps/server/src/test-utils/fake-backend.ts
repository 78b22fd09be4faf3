import type {
  BackendCallbacks,
  BackendInput,
  BackendResult,
  BackendSampling,
  ChatBackend,
} from '../backend.js';

export interface FakeBackendOptions {
  modelId?: string;
  contextLength?: number;
  supportsImages?: boolean;
  /** Milliseconds each token step takes. Default 0 (a macrotask per step all the same). */
  stepMs?: number;
  /** Words the fake answers with, one per step, cycling; the answer stops ('stop') after `answerWords`. */
  answerWords?: number;
  /** Characters of padding after each word (big pieces fill a slow client's buffers fast). Default 0. */
  padding?: number;
  /** Answer with this text instead of "w0 w1 ...", one whitespace-led word per step (settable too). */
  answerText?: string;
  /** Throw this from generate (to test error paths). */
  fail?: (input: BackendInput) => unknown;
}

/**
 * A model stand-in: one "token" per whitespace-separated word of the prompt (+1 per image), answers
 * "w0 w1 w2 ..." one word per step, honours maxTokens, stop strings and the abort signal checked
 * before every step. It counts the steps it ran, so tests can see that an abort stops the next one.
 */
export class FakeBackend implements ChatBackend {
  readonly modelId: string;
  readonly contextLength: number;
  readonly supportsImages: boolean;
  steps = 0;
  calls: { input: BackendInput; sampling: BackendSampling }[] = [];
  /** Summed over calls: steps that started after the call's signal had fired (0 when aborts are honoured). */
  stepsAfterAbort = 0;
  /** Calls that ended because of their signal. */
  aborted = 0;
  active = 0;
  maxActive = 0;
  disposed = false;
  /** Words per answer before 'stop' (settable between requests). */
  answerWords: number;
  /** A scripted answer (settable between requests); undefined: "w0 w1 ...". */
  answerText: string | undefined;

  constructor(private readonly options: FakeBackendOptions = {}) {
    this.modelId = options.modelId ?? 'fake-gemma';
    this.contextLength = options.contextLength ?? 256;
    this.supportsImages = options.supportsImages ?? true;
    this.answerWords = options.answerWords ?? 1_000_000;
    this.answerText = options.answerText;
  }

  countPromptTokens(input: BackendInput): number | undefined {
    if (input.kind === 'prompt') return 1 + words(input.prompt);
    let count = 1;
    for (const m of input.messages) {
      count += 3; // turn markers
      if (typeof m.content === 'string') count += words(m.content);
      else for (const p of m.content) count += p.type === 'text' ? words(p.text) : 16;
    }
    return count;
  }

  async generate(
    input: BackendInput,
    sampling: BackendSampling,
    { onText, signal }: BackendCallbacks,
  ): Promise<BackendResult> {
    this.calls.push({ input, sampling });
    const failure = this.options.fail?.(input);
    if (failure !== undefined) throw failure;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const promptTokens = this.countPromptTokens(input) ?? 0;
      const script = this.answerText?.match(/\s*\S+/g) ?? undefined;
      const answerWords = script?.length ?? this.answerWords;
      let text = '';
      let produced = 0;
      let finishReason: BackendResult['finishReason'] = 'length';
      let stepsAtAbort: number | undefined;
      signal.addEventListener('abort', () => (stepsAtAbort = produced), { once: true });
      while (produced < sampling.maxTokens) {
        await new Promise((resolve) => setTimeout(resolve, this.options.stepMs ?? 0));
        if (signal.aborted) {
          finishReason = 'abort';
          this.aborted++;
          break;
        }
        this.steps++;
        const piece =
          script?.[produced] ??
          `${produced === 0 ? '' : ' '}w${produced}${'.'.repeat(this.options.padding ?? 0)}`;
        produced++;
        text += piece;
        onText?.(piece);
        if (produced >= answerWords || sampling.stop?.some((s) => text.includes(s))) {
          finishReason = 'stop';
          break;
        }
      }
      if (stepsAtAbort !== undefined) this.stepsAfterAbort += produced - stepsAtAbort;
      return { text, finishReason, promptTokens, completionTokens: produced };
    } finally {
      this.active--;
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

function words(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

import { ImageTokensTruncatedError } from './errors/image-tokens-truncated-error.js';
import { InvalidProcessorInputError } from './errors/invalid-processor-input-error.js';
import { PromptTooLongError } from './errors/prompt-too-long-error.js';

export interface LengthOptions {
  /** Longest allowed prompt in tokens. Longer prompts are an error unless `truncation` is set. */
  readonly maxLength?: number;
  /** Cut prompts longer than `maxLength` (on `truncationSide`), unless that would cut image tokens. */
  readonly truncation?: boolean;
  readonly truncationSide?: 'left' | 'right';
  /** Side padding goes on in a batch; Gemma 3's tokenizer_config says left. */
  readonly paddingSide?: 'left' | 'right';
}

export interface PaddedBatch {
  /** [B, T] */
  readonly inputIds: number[][];
  /** [B, T] 1 on real tokens, 0 on padding. */
  readonly attentionMask: number[][];
  /** [B, T] 1 on image soft tokens, 0 elsewhere (padding included). */
  readonly tokenTypeIds: number[][];
}

function countId(ids: readonly number[], id: number): number {
  let n = 0;
  for (const x of ids) if (x === id) n++;
  return n;
}

/** Applies the length rules, then pads every prompt to the longest one. */
export function padBatch(
  sequences: readonly number[][],
  imageTokenId: number,
  padId: number,
  options: LengthOptions,
  defaults: { paddingSide: 'left' | 'right'; truncationSide: 'left' | 'right' },
): PaddedBatch {
  const { maxLength, truncation = false } = options;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new InvalidProcessorInputError('maxLength', `must be a positive integer, got ${maxLength}`);
  }
  if (truncation && maxLength === undefined)
    throw new InvalidProcessorInputError('maxLength', 'required with truncation');
  const truncationSide = options.truncationSide ?? defaults.truncationSide;
  const paddingSide = options.paddingSide ?? defaults.paddingSide;
  const cut = sequences.map((ids, i) => {
    if (maxLength === undefined || ids.length <= maxLength) return ids;
    if (!truncation) throw new PromptTooLongError(i, ids.length, maxLength);
    const kept = truncationSide === 'left' ? ids.slice(ids.length - maxLength) : ids.slice(0, maxLength);
    const before = countId(ids, imageTokenId);
    const after = countId(kept, imageTokenId);
    if (after !== before) throw new ImageTokensTruncatedError(i, ids.length, maxLength, before, after);
    return kept;
  });
  const longest = cut.reduce((m, ids) => Math.max(m, ids.length), 0);
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const tokenTypeIds: number[][] = [];
  for (const ids of cut) {
    const pad = longest - ids.length;
    const padIds = new Array<number>(pad).fill(padId);
    const zeros = new Array<number>(pad).fill(0);
    const ones = new Array<number>(ids.length).fill(1);
    const types = ids.map((id) => (id === imageTokenId ? 1 : 0));
    if (paddingSide === 'left') {
      inputIds.push([...padIds, ...ids]);
      attentionMask.push([...zeros, ...ones]);
      tokenTypeIds.push([...zeros, ...types]);
    } else {
      inputIds.push([...ids, ...padIds]);
      attentionMask.push([...ones, ...zeros]);
      tokenTypeIds.push([...types, ...zeros]);
    }
  }
  return { inputIds, attentionMask, tokenTypeIds };
}

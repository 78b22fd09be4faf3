import { InvalidEncodeOptionError } from './errors/invalid-encode-option-error.js';

export interface EncodeBatchOptions {
  addSpecialTokens?: boolean;
  /** 'longest' (default): pad to the longest sequence; 'max_length': pad to maxLength; false: no padding (lengths must then match). */
  padding?: 'longest' | 'max_length' | false;
  /** Longest allowed sequence. Without `truncation`, a longer sequence is an error (never cut silently). */
  maxLength?: number;
  /** Cut sequences longer than maxLength (on `truncationSide`). Default false. */
  truncation?: boolean;
  /** Overrides tokenizer_config's padding_side (Gemma 3: left). */
  paddingSide?: 'left' | 'right';
  /** Overrides tokenizer_config's truncation_side (default right). */
  truncationSide?: 'left' | 'right';
}

export interface BatchEncoding {
  /** [B, T] token ids, padded with the pad id. */
  inputIds: number[][];
  /** [B, T] 1 for real tokens, 0 for padding. */
  attentionMask: number[][];
}

export function padAndTruncate(
  sequences: number[][],
  options: EncodeBatchOptions,
  defaults: { padId: number | null; paddingSide: 'left' | 'right'; truncationSide: 'left' | 'right' },
): BatchEncoding {
  const { maxLength, truncation = false } = options;
  const padding = options.padding ?? 'longest';
  const paddingSide = options.paddingSide ?? defaults.paddingSide;
  const truncationSide = options.truncationSide ?? defaults.truncationSide;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new InvalidEncodeOptionError({
      option: 'maxLength',
      reason: `must be a positive integer, got ${maxLength}`,
    });
  }
  if ((truncation || padding === 'max_length') && maxLength === undefined) {
    throw new InvalidEncodeOptionError({
      option: 'maxLength',
      reason: `required with ${truncation ? 'truncation' : "padding 'max_length'"}`,
    });
  }
  const cut = sequences.map((ids, i) => {
    if (maxLength === undefined || ids.length <= maxLength) return ids;
    if (!truncation) {
      throw new InvalidEncodeOptionError({
        option: 'maxLength',
        reason: `sequence ${i} has ${ids.length} tokens > maxLength ${maxLength} and truncation was not asked for`,
      });
    }
    return truncationSide === 'left' ? ids.slice(ids.length - maxLength) : ids.slice(0, maxLength);
  });
  const longest = cut.reduce((m, ids) => Math.max(m, ids.length), 0);
  const target = padding === 'max_length' ? maxLength! : padding === 'longest' ? longest : -1;
  if (target === -1) {
    if (cut.some((ids) => ids.length !== longest)) {
      throw new InvalidEncodeOptionError({
        option: 'padding',
        reason: 'sequences differ in length and padding is false',
      });
    }
    return { inputIds: cut, attentionMask: cut.map((ids) => ids.map(() => 1)) };
  }
  if (defaults.padId === null && cut.some((ids) => ids.length < target)) {
    throw new InvalidEncodeOptionError({ option: 'padding', reason: 'the tokenizer defines no pad token' });
  }
  const padId = defaults.padId ?? 0;
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (const ids of cut) {
    const pad = new Array<number>(target - ids.length).fill(padId);
    const zeros = new Array<number>(target - ids.length).fill(0);
    const ones = new Array<number>(ids.length).fill(1);
    inputIds.push(paddingSide === 'left' ? [...pad, ...ids] : [...ids, ...pad]);
    attentionMask.push(paddingSide === 'left' ? [...zeros, ...ones] : [...ones, ...zeros]);
  }
  return { inputIds, attentionMask };
}

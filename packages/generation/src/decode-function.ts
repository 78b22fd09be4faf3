/**
 * Token ids to text, as a tokenizer's `decode` (e.g. `@gemma3/tokenizer`): `skipSpecialTokens` drops
 * special tokens such as `<eos>`. Incomplete UTF-8 at the end should come out as U+FFFD (what
 * `TextDecoder` does), which the streamer holds back until the character completes.
 */
export type DecodeFunction = (ids: readonly number[], options?: { skipSpecialTokens?: boolean }) => string;

import { Gemma3Error } from '@gemma3/errors';

/** A token id passed to decode / idToToken is not an integer id of this vocabulary. */
export class InvalidTokenIdError extends Gemma3Error {
  readonly id: unknown;
  /** Position of the id in the list given, or -1 for a single id. */
  readonly index: number;
  /** Ids must lie in [0, vocabSize). */
  readonly vocabSize: number;

  constructor({ id, index, vocabSize }: { id: unknown; index: number; vocabSize: number }) {
    super({
      code: 'tokenizer/invalid-token-id',
      message: `token id ${String(id)}${index >= 0 ? ` at index ${index}` : ''} is not an integer in [0, ${vocabSize})`,
    });
    this.id = id;
    this.index = index;
    this.vocabSize = vocabSize;
  }
}

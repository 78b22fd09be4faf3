import { Gemma3Error } from '@gemma3/errors';

/** A static KV cache is asked to hold more positions than it was preallocated for. */
export class CacheCapacityError extends Gemma3Error {
  readonly capacity: number;
  readonly requested: number;

  constructor(capacity: number, requested: number) {
    super({
      code: 'text-model/cache-capacity',
      message: `the static KV cache holds ${capacity} positions, ${requested} were requested (raise maxLength)`,
    });
    this.capacity = capacity;
    this.requested = requested;
  }
}

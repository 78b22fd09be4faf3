/**
 * Starts producers in order ahead of the consumer: when item i is taken, items after it are started
 * while the bytes started ahead stay within `limit` (the next one always starts, unless `limit` is 0).
 * Producers are started in index order (a producer may rely on it, e.g. to share work with the
 * previous one); a failure is reported when its item is taken, not before.
 */
export class PrefetchWindow<T> {
  private readonly started = new Map<number, Promise<T>>();
  private next = 0;

  constructor(
    private readonly count: number,
    private readonly bytesOf: (i: number) => number,
    private readonly limit: number,
    private readonly produce: (i: number) => T | Promise<T>,
  ) {}

  take(i: number): Promise<T> {
    if (this.next <= i) this.start(i);
    let aheadBytes = 0;
    for (let j = i + 1; j < this.next; j++) aheadBytes += this.bytesOf(j);
    while (
      this.next < this.count &&
      ((this.limit > 0 && this.next === i + 1) || aheadBytes + this.bytesOf(this.next) <= this.limit)
    ) {
      aheadBytes += this.bytesOf(this.next);
      this.start(this.next);
    }
    const value = this.started.get(i)!;
    this.started.delete(i);
    return value;
  }

  /** Forgets what was started and not taken (after a failure). */
  drop(): void {
    this.started.clear();
  }

  private start(i: number): void {
    const value = Promise.resolve().then(() => this.produce(i));
    value.catch(() => {}); // reported by take()
    this.started.set(i, value);
    this.next = i + 1;
  }
}

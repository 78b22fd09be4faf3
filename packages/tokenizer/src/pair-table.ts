/**
 * Open-addressing hash table from a pair of non-negative int32 keys (a, b) to an int32 value.
 * Used for BPE merges ((left id, right id) -> merge index) and for the "can these two characters
 * ever be merged" set. Typed arrays only: no per-entry objects, no string keys.
 */
export class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(expectedEntries: number) {
    let capacity = 16;
    while (capacity < expectedEntries * 2) capacity *= 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** Inserts or overwrites (a later entry for the same pair wins, as in a map built in order). */
  set(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.keysA.length) this.grow();
    const mask = this.mask;
    let i = this.slot(a, b);
    for (;;) {
      const ka = this.keysA[i]!;
      if (ka === -1) {
        this.keysA[i] = a;
        this.keysB[i] = b;
        this.values[i] = value;
        this.size++;
        return;
      }
      if (ka === a && this.keysB[i] === b) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** The value for (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const mask = this.mask;
    const keysA = this.keysA;
    let i = this.slot(a, b);
    for (;;) {
      const ka = keysA[i]!;
      if (ka === -1) return -1;
      if (ka === a && this.keysB[i] === b) return this.values[i]!;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { keysA, keysB, values } = this;
    const capacity = keysA.length * 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keysA.length; i++) {
      if (keysA[i] !== -1) this.set(keysA[i]!, keysB[i]!, values[i]!);
    }
  }
}

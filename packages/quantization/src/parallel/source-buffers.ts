/** Free buffers kept at most (bytes): a 4b layer's largest source, gate+up, is 105 MB. */
const KEEP_BYTES = 512 * 1024 * 1024;
/** How long given-back buffers are kept, after the last one came back, before they are let go. */
const KEEP_MS = 2000;

/**
 * SharedArrayBuffers for the checkpoint bytes that workers quantize, reused from one tensor to the
 * next of the same size (a model's layers repeat their shapes). Fresh memory costs a page fault per
 * 4 KiB when it is first written: for a 4b q4 build (each weight read for two graphs) that was ~4
 * million faults (with the copies of packed parts, see @gemma3/text-model's `withPackedTensors`). Free
 * buffers (at most 512 MiB) are let go 2 s after the last one came back, so nothing is held once a
 * build is over.
 */
export class SourceBuffers {
  private readonly free = new Map<number, Uint8Array[]>();
  /** The buffers `take` made: only these come back into use (a source may return bytes it keeps). */
  private readonly made = new WeakSet<Uint8Array>();
  private freeBytes = 0;

  /** `keepBytes`: free buffers kept at most (bytes). */
  constructor(private readonly keepBytes = KEEP_BYTES) {}

  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bytes of the buffers `take` had to allocate (not reused). */
  allocatedBytes = 0;

  take(byteLength: number): Uint8Array {
    const reused = this.free.get(byteLength)?.pop();
    if (reused !== undefined) {
      this.freeBytes -= byteLength;
      this.made.add(reused);
      return reused;
    }
    this.allocatedBytes += byteLength;
    const bytes = new Uint8Array(new SharedArrayBuffer(byteLength));
    this.made.add(bytes);
    return bytes;
  }

  give(bytes: Uint8Array): void {
    if (!this.made.delete(bytes)) return; // not ours, or given back already
    if (this.freeBytes + bytes.byteLength > this.keepBytes) return;
    this.freeBytes += bytes.byteLength;
    const list = this.free.get(bytes.byteLength);
    if (list === undefined) this.free.set(bytes.byteLength, [bytes]);
    else list.push(bytes);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.free.clear();
      this.freeBytes = 0;
    }, KEEP_MS);
    this.timer.unref();
  }
}

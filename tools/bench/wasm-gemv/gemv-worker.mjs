// A thread of wasm-gemv.ts: instantiates q4-gemv.wat over the shared memory, then computes its share of
// the rows of each job the main thread posts through the control words (see wasm-gemv.ts).
import { workerData } from 'node:worker_threads';

const { module, memory, control, index, threads } = workerData;
const { gemv } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const words = new Int32Array(control);
// Control words: 0 generation, 1 finished count, 2 job index, then per job 8 words of arguments.
let seen = 0;
for (;;) {
  Atomics.wait(words, 0, seen);
  seen = Atomics.load(words, 0);
  if (seen < 0) break;
  const at = 3 + Atomics.load(words, 2) * 8;
  const [w, s, a, as, c, y, blocks, rows] = words.subarray(at, at + 8);
  const per = Math.ceil(rows / threads);
  gemv(w, s, a, as, c, y, blocks, Math.min(rows, index * per), Math.min(rows, (index + 1) * per));
  Atomics.add(words, 1, 1);
  Atomics.notify(words, 1);
}

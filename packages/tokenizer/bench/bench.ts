// Encode throughput, load time and memory: @gemma3/tokenizer vs @huggingface/tokenizers on the same
// corpus, in one run. Each library runs in its own child process so load time and memory are its own.
// Usage: pnpm --filter @gemma3/tokenizer bench   (add `-- --mb 6` to change the corpus size)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gemmaModelDir, gemmaTokenizerJson } from '../src/test-utils/gemma-files.js';
import { buildCorpus } from './corpus.js';

type Library = 'ours' | 'hf';
interface Report {
  library: Library;
  loadMs: number;
  loadCpuMs: number;
  rssMiB: number;
  heapMiB: number;
  corpusMBps: number;
  tokens: number;
  scaling: { label: string; bytes: number; MBps: number }[];
  idsChecksum: number;
}

type Encode = (text: string) => ArrayLike<number>;

/** Imports the library (untimed: module loading is not tokenizer loading), returns the timed loader. */
async function loader(library: Library): Promise<() => Promise<Encode>> {
  if (library === 'ours') {
    const { Tokenizer } = await import('../src/index.js');
    return async () => {
      const tokenizer = await Tokenizer.fromPretrained(gemmaModelDir);
      return (text) => tokenizer.encode(text);
    };
  }
  const { Tokenizer } = await import('@huggingface/tokenizers');
  return async () => {
    const json = JSON.parse(readFileSync(gemmaTokenizerJson, 'utf8'));
    const config = JSON.parse(readFileSync(`${gemmaModelDir}/tokenizer_config.json`, 'utf8'));
    const tokenizer = new Tokenizer(json, config);
    return (text) => tokenizer.encode(text).ids;
  };
}

function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

async function child(library: Library, mb: number): Promise<void> {
  const docs = buildCorpus(mb * 1e6);
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  const load = await loader(library);
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  const baseHeap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const encode = await load();
  const loadMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const loadCpuMs = (cpu.user + cpu.system) / 1000;
  globalThis.gc?.();
  const memory = process.memoryUsage();

  // Warm-up on 1 MB of documents (JIT and caches), then the timed pass over the whole corpus.
  let warm = 0;
  for (const doc of docs) {
    encode(doc);
    warm += doc.length;
    if (warm > 1e6) break;
  }
  let tokens = 0;
  let checksum = 0;
  const t1 = performance.now();
  for (const doc of docs) {
    const ids = encode(doc);
    tokens += ids.length;
    for (let i = 0; i < ids.length; i++) checksum = (checksum * 31 + ids[i]!) % 1_000_000_007;
  }
  const corpusMs = performance.now() - t1;

  // Scaling: one input of 10 KB, 100 KB, 1 MB, each encoded once untimed first (steady state), then
  // timed. Mixed text: the documents joined. Worst case: one line of random base64, no space, which
  // Gemma 3 tokenizes as a single BPE word (no cache can help; the merge loop must stay O(n log n)).
  const joined = Buffer.from(docs.join('\n'));
  const next = (() => {
    let seed = 7;
    return () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
  })();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const base64 = Array.from({ length: 1_000_000 }, () => alphabet[next() % 64]).join('');
  const scaling: Report['scaling'] = [];
  for (const [label, source] of [
    ['mixed', joined],
    ['base64, no space', Buffer.from(base64)],
  ] as const) {
    for (const size of [10_000, 100_000, 1_000_000]) {
      // The first `size` bytes, cut back to a character boundary (no U+FFFD at the cut).
      let end = size;
      while ((source[end]! & 0xc0) === 0x80) end--;
      const text = source.subarray(0, end).toString('utf8');
      encode(text);
      // Best of up to 3 rounds of >= 1 MB each (fewer when a round takes over 10 s): the machine is
      // shared, and the best round is the one least disturbed by other jobs.
      const runs = Math.max(1, Math.round(1_000_000 / size));
      let best = 0;
      for (let round = 0; round < 3; round++) {
        const t = performance.now();
        for (let r = 0; r < runs; r++) encode(text);
        const ms = performance.now() - t;
        best = Math.max(best, mbps(Buffer.byteLength(text) * runs, ms));
        if (ms > 10_000) break;
      }
      scaling.push({ label, bytes: Buffer.byteLength(text), MBps: best });
    }
  }
  const report: Report = {
    library,
    loadMs,
    loadCpuMs,
    rssMiB: (memory.rss - baseRss) / 2 ** 20,
    heapMiB: (memory.heapUsed - baseHeap) / 2 ** 20,
    corpusMBps: mbps(bytes, corpusMs),
    tokens,
    scaling,
    idsChecksum: checksum,
  };
  process.send!(report);
}

function runChild(library: Library, mb: number): Promise<Report> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', library, '--mb', String(mb)], {
      execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=4096'],
    });
    proc.once('message', (m) => resolve(m as Report));
    proc.once('exit', (code) => code !== 0 && reject(new Error(`${library} child exited with ${code}`)));
  });
}

const args = process.argv.slice(2);
const mb = Number(args[args.indexOf('--mb') + 1] || 6);
if (args.includes('--child')) {
  await child(args[args.indexOf('--child') + 1] as Library, mb);
} else {
  const docs = buildCorpus(mb * 1e6);
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  console.log(
    `corpus: ${docs.length} documents, ${(bytes / 1e6).toFixed(2)} MB UTF-8 (deterministic, built from fixtures)`,
  );
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  const ours = await runChild('ours', mb);
  const hf = await runChild('hf', mb);
  const row = (name: string, a: string, b: string, ratio: string) => `| ${name} | ${a} | ${b} | ${ratio} |`;
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    '| | @gemma3/tokenizer | @huggingface/tokenizers | ratio |',
    '|---|---|---|---|',
    row(
      `encode ${f(bytes / 1e6)} MB corpus (MB/s)`,
      f(ours.corpusMBps),
      f(hf.corpusMBps),
      `${f(ours.corpusMBps / hf.corpusMBps, 1)}x`,
    ),
    row(
      'load tokenizer.json + config (ms)',
      f(ours.loadMs, 0),
      f(hf.loadMs, 0),
      `${f(hf.loadMs / ours.loadMs, 1)}x faster`,
    ),
    row(
      'load, CPU time of the process (ms)',
      f(ours.loadCpuMs, 0),
      f(hf.loadCpuMs, 0),
      `${f(hf.loadCpuMs / ours.loadCpuMs, 1)}x less`,
    ),
    row('RSS after load (MiB, delta)', f(ours.rssMiB, 0), f(hf.rssMiB, 0), ''),
    row('JS heap after load (MiB, delta)', f(ours.heapMiB, 0), f(hf.heapMiB, 0), ''),
    ...ours.scaling.map((s, i) =>
      row(
        `one ${Math.round(s.bytes / 1e3)} KB input, ${s.label} (MB/s)`,
        f(s.MBps),
        f(hf.scaling[i]!.MBps),
        `${f(s.MBps / hf.scaling[i]!.MBps, 1)}x`,
      ),
    ),
    row(
      'tokens / checksum of ids',
      `${ours.tokens} / ${ours.idsChecksum}`,
      `${hf.tokens} / ${hf.idsChecksum}`,
      ours.idsChecksum === hf.idsChecksum ? 'same ids' : 'ids differ',
    ),
  ];
  console.log(lines.join('\n'));
}

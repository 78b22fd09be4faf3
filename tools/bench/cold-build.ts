/**
 * Cold build of a checkpoint as a user meets it: `pipeline(task, model, { dtype, cacheDir })` into an
 * emptied cache folder (safetensors -> ONNX graphs with external data, then the sessions), in this
 * process, so `maxRSS` is the build's own. Prints one JSON object (the last line of stdout).
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/cold-build.ts \
 *     [--model /tmp/gemma3-4b] [--task image-text-to-text] [--dtype q8|q4|fp32 (default: the pipeline's)]
 *     [--cache-dir /tmp/gemma3-cold-build/cache] [--keep] [--threads 2]
 *
 * `GEMMA3_BUILD_WORKERS=N` sets the quantization worker threads (0: quantize on the main thread with the
 * reference functions). The cache folder is emptied before and (unless `--keep`) after the run. The
 * figures before the worker threads came from this script run in a checkout of 0636ee7.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type PipelineDtype, pipeline } from '../../packages/pipeline/src/index.js';
import { BUILD_WORKERS_ENV } from '../../packages/quantization/src/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '/tmp/gemma3-4b' },
    task: { type: 'string', default: 'image-text-to-text' },
    dtype: { type: 'string' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cold-build/cache' },
    keep: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
  },
});
const cacheDir = values['cache-dir'];

async function folderBytes(dir: string): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      sizes[path.slice(dir.length + 1)] = (await stat(path)).size;
    }
  }
  return sizes;
}

await rm(cacheDir, { recursive: true, force: true });
const loadBefore = loadavg();
const started = performance.now();
// RSS over time: the largest sample of each 5 s, in MB (build and session creation show apart).
const rssTimeline: number[] = [];
const sampler = setInterval(() => {
  const slot = Math.floor((performance.now() - started) / 5000);
  rssTimeline[slot] = Math.max(rssTimeline[slot] ?? 0, Math.round(process.memoryUsage.rss() / 1e6));
}, 250);
const pipe = await pipeline(values.task as 'image-text-to-text', values.model, {
  cacheDir,
  progress: false,
  session: { intraOpThreads: Number(values.threads), interOpThreads: 1 },
  ...(values.dtype === undefined ? {} : { dtype: values.dtype as PipelineDtype }),
});
const loadMs = performance.now() - started;
clearInterval(sampler);
const details = (pipe.model as { details?: Record<string, unknown> }).details;
const files = await folderBytes(cacheDir);
await pipe.dispose();
const result = {
  model: values.model,
  task: values.task,
  dtype: pipe.dtype,
  workers: process.env[BUILD_WORKERS_ENV] ?? 'default',
  loadMs,
  details,
  writtenBytes: Object.values(files).reduce((a, b) => a + b, 0),
  files,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  rssTimelineMB: rssTimeline,
  loadavgBefore: loadBefore,
  loadavgAfter: loadavg(),
};
if (!values.keep) await rm(cacheDir, { recursive: true, force: true });
console.log(JSON.stringify(result));

/**
 * Manual check that our cache and huggingface_hub's are the same cache, both ways (tests never run
 * Python). Needs a Python with huggingface_hub; run from packages/hub:
 *
 *   PYTHON=/work/refvenv/bin/python npx tsx --conditions @gemma3/source scripts/python-interop.mts
 *
 * 1. We download `test-org/ours` from the loopback fake hub; Python's scan_cache_dir must list it with
 *    no warnings and snapshot_download(local_files_only=True) must return our snapshot folder.
 * 2. Python's hf_hub_download fetches `test-org/theirs` from the same fake hub (HF_ENDPOINT); then our
 *    resolveModel must find it with zero requests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveModel } from '../src/index.js';
import { startFakeHub } from '../src/test-utils/fake-hub.js';
import { DEFAULT_SELECTION, gemmaRepo } from '../src/test-utils/gemma-repo.js';

const python = process.env.PYTHON ?? 'python3';
// huggingface_hub follows redirects to the same host name (any port), so the CDN is `localhost`.
const hub = await startFakeHub([gemmaRepo('test-org/ours'), gemmaRepo('test-org/theirs')], 'localhost');
const cache = await mkdtemp(join(tmpdir(), 'gemma3-interop-'));
try {
  const ours = await resolveModel('test-org/ours', { endpoint: hub.url, env: { HF_HUB_CACHE: cache } });
  const script = `
import json, sys
from huggingface_hub import scan_cache_dir, snapshot_download, hf_hub_download
cache, files = sys.argv[1], json.loads(sys.argv[2])
info = scan_cache_dir(cache)
repos = {r.repo_id: [(v.commit_hash, sorted(v.refs), len(v.files)) for v in r.revisions] for r in info.repos}
found = snapshot_download('test-org/ours', cache_dir=cache, local_files_only=True)
for f in files:
    hf_hub_download('test-org/theirs', f, cache_dir=cache)
print(json.dumps({'repos': repos, 'warnings': [str(w) for w in info.warnings], 'found': found}))
`;
  const { stdout } = await promisify(execFile)(
    python,
    ['-c', script, cache, JSON.stringify(DEFAULT_SELECTION)],
    {
      env: {
        ...process.env,
        HF_ENDPOINT: hub.url,
        HF_HUB_DISABLE_TELEMETRY: '1',
        HF_HUB_DISABLE_PROGRESS_BARS: '1',
      },
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    repos: Record<string, [string, string[], number][]>;
    warnings: string[];
    found: string;
  };
  const problems: string[] = [];
  const scanned = result.repos['test-org/ours']?.[0];
  if (scanned?.[2] !== DEFAULT_SELECTION.length || scanned[1].join() !== 'main') {
    problems.push(`scan_cache_dir saw ${JSON.stringify(scanned)}`);
  }
  if (result.warnings.length > 0) problems.push(`scan_cache_dir warnings: ${result.warnings.join('; ')}`);
  if (result.found !== ours) problems.push(`Python found ${result.found}, we wrote ${ours}`);
  const before = hub.requests.length;
  const theirs = await resolveModel('test-org/theirs', { endpoint: hub.url, env: { HF_HUB_CACHE: cache } });
  if (hub.requests.length !== before)
    problems.push(`finding Python's download made ${hub.requests.length - before} requests`);
  console.log(`ours: ${ours}\ntheirs: ${theirs}`);
  if (problems.length > 0) {
    console.error(`FAIL\n${problems.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('OK: huggingface_hub reads our cache and we read its cache');
  }
} finally {
  await hub.close();
  await rm(cache, { recursive: true, force: true });
}

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModels, runTsFile, type TinyModels } from '@gemma3/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  README_BLOCKS,
  REPO_ROOT,
  type ReadmeBlock,
  type RunPlan,
  readmeBlocks,
} from './test-utils/readme-blocks.js';

// Every TypeScript / JavaScript block of the READMEs runs as written (a spawned tsx process, from the
// package it documents), against the tiny random checkpoints; the documented substitutions and
// preludes are in test-utils/readme-blocks.ts, as are the blocks skipped and why. examples/*.ts run
// in examples.test.ts.
const blocks = readmeBlocks();
const runnable = blocks.filter((b) => {
  const plan = README_BLOCKS[b.id];
  return plan !== undefined && 'dir' in plan;
});
let models: TinyModels;

beforeAll(async () => {
  models = await createTinyModels(['tiny-text', 'tiny-vlm'], 'readme');
}, 60_000);
afterAll(async () => {
  await models?.cleanup();
});

/** The block with its substitutions applied, after the standard and the plan's prelude. */
function program(block: ReadmeBlock, plan: RunPlan, tmp: string): string {
  let code = block.code;
  for (const [from, to] of plan.substitutions ?? []) code = code.replaceAll(from, to);
  const sunset = join(REPO_ROOT, 'examples/assets/sunset.png');
  return [
    `const TINY_TEXT = ${JSON.stringify(models.dir('tiny-text'))};`,
    `const TINY_VLM = ${JSON.stringify(models.dir('tiny-vlm'))};`,
    `const SUNSET = ${JSON.stringify(sunset)};`,
    `const TMP = ${JSON.stringify(tmp)};`,
    plan.prelude ?? '',
    `// ---- ${block.id}`,
    code,
    '// ----',
    plan.after ?? '',
    '',
  ].join('\n');
}

describe('README code blocks', () => {
  test('every block has a plan (run or skip with a reason), every plan a block, every substitution a match', () => {
    const ids = blocks.map((b) => b.id);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    expect(ids.filter((id) => README_BLOCKS[id] === undefined)).toEqual([]);
    expect(Object.keys(README_BLOCKS).filter((id) => !ids.includes(id))).toEqual([]);
    for (const block of blocks) {
      const plan = README_BLOCKS[block.id]!;
      if ('skip' in plan) {
        expect(plan.skip.length, block.id).toBeGreaterThan(10);
        continue;
      }
      for (const [from] of plan.substitutions ?? [])
        expect(block.code, `${block.id}: ${from}`).toContain(from);
    }
    expect(blocks.filter((b) => b.file === 'README.md')[0]?.code).toContain(
      "await pipeline('image-text-to-text'",
    );
  });

  test.each(runnable.map((b) => [b.id, b] as const))('%s runs', { timeout: 180_000 }, async (id, block) => {
    const plan = README_BLOCKS[id] as RunPlan;
    const tmp = await mkdtemp(join(tmpdir(), 'gemma3-readme-block-'));
    const folder = join(REPO_ROOT, plan.dir, '.readme-examples');
    await mkdir(folder, { recursive: true });
    const file = join(folder, `${id.replace(/[^A-Za-z0-9]+/g, '-')}.mts`);
    try {
      await writeFile(file, program(block, plan, tmp));
      const result = await runTsFile(file, [], {
        cwd: join(REPO_ROOT, plan.dir),
        env: { GEMMA3_CACHE_DIR: models.cacheDir, HF_HUB_OFFLINE: '1' },
        timeoutMs: 170_000,
      });
      expect(result.code, `${id}\n${result.stderr}`).toBe(0);
    } finally {
      await rm(file, { force: true });
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

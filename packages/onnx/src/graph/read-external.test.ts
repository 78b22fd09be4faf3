import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GraphBuildError } from '../errors/graph-build-error.js';
import { OnnxSession, tensor } from '../session/onnx-session.js';
import { GraphBuilder } from './graph-builder.js';
import {
  FEEDS_FROM_DATA_KEY,
  readExternalIndex,
  readExternalTensor,
  readFeedsFromData,
} from './read-external.js';
import { saveModel } from './save-model.js';

const work = await mkdtemp(join(tmpdir(), 'gemma3-onnx-external-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** y = x + table (table: 4096 floats, stored externally), with the table also fed as input `fed`. */
async function saveTableModel(dir: string) {
  const table = Float32Array.from({ length: 4096 }, (_, i) => i * 0.5);
  const g = new GraphBuilder({ name: 'table' });
  const x = g.input('x', 'float32', [4096]);
  const fed = g.input('fed', 'float32', [4096]);
  const stored = g.initializer('table', 'float32', [4096], table);
  g.op('Add', [g.op('Add', [x, stored]), fed], { output: 'y' });
  g.output('y', 'float32', [4096]);
  g.metadata[FEEDS_FROM_DATA_KEY] = JSON.stringify({ fed: { tensor: 'table', dims: [64, 64] } });
  await mkdir(dir, { recursive: true });
  return { saved: await saveModel(g, dir), table };
}

describe('external data index', () => {
  test('saveModel writes where each external tensor lies; its bytes read back exactly', async () => {
    const { saved, table } = await saveTableModel(join(work, 'a'));
    const index = await readExternalIndex(saved.modelPath);
    expect(index.tensors.table).toMatchObject({ type: 'float32', dims: [4096], length: 4096 * 4 });
    expect(index.metadata[FEEDS_FROM_DATA_KEY]).toContain('"fed"');
    const read = await readExternalTensor(saved.modelPath, index, 'table');
    expect(new Float32Array(read.bytes.buffer)).toEqual(table);
    const feeds = await readFeedsFromData(saved.modelPath);
    expect(Object.keys(feeds)).toEqual(['fed']);
    expect(feeds.fed!.dims).toEqual([64, 64]);
    expect(feeds.fed!.bytes).toEqual(read.bytes);
  });

  test('a missing tensor or a truncated data file is a GraphBuildError naming it', async () => {
    const { saved } = await saveTableModel(join(work, 'b'));
    const index = await readExternalIndex(saved.modelPath);
    await expect(readExternalTensor(saved.modelPath, index, 'nope')).rejects.toThrow(/"nope"/);
    await writeFile(saved.dataPath!, (await readFile(saved.dataPath!)).subarray(0, 100));
    await expect(readExternalTensor(saved.modelPath, index, 'table')).rejects.toThrow(GraphBuildError);
    await expect(readExternalIndex(join(work, 'missing.onnx'))).rejects.toThrow(/missing\.onnx\.index\.json/);
  });

  test('runInto writes an output into the given buffer and returns that tensor', async () => {
    const { saved, table } = await saveTableModel(join(work, 'c'));
    const session = await OnnxSession.create(saved.modelPath, { intraOpThreads: 1 });
    try {
      const x = new Float32Array(4096).fill(1);
      const into = new Float32Array(4096);
      const feeds = { x: tensor.float32(x, [4096]), fed: tensor.float32(table, [4096]) };
      const out = await session.runInto(feeds, { y: tensor.float32(into, [4096]) });
      expect(out.y!.data).toEqual(into); // filled in place (onnxruntime-node returns its own view of it)
      expect(into[10]).toBe(1 + 2 * table[10]!);
      expect(await session.run(feeds)).toMatchObject({ y: { dims: [4096] } });
    } finally {
      await session.release();
    }
  });
});

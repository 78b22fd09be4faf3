import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GraphBuildError } from '../errors/graph-build-error.js';
import { OnnxRuntimeError } from '../errors/onnx-runtime-error.js';
import { OnnxSession, tensor } from '../session/onnx-session.js';
import { attr, GraphBuilder } from './graph-builder.js';
import { saveModel } from './save-model.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gemma3-onnx-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** x [2, 3] @ w [3, 4] + b [4] with numbers worked out by hand below. */
function matmulAddGraph(lazy: boolean, inner: number | string = 3): GraphBuilder {
  const g = new GraphBuilder({ name: 'matmul_add', opsets: { '': 21 } });
  const x = g.input('x', 'float32', ['batch', inner]);
  const wData = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const w = g.initializer('w', 'float32', [3, 4], lazy ? () => wData : wData);
  const b = g.initializer('b', 'float32', [4], new Float32Array([0.5, -0.5, 1, -1]));
  const y = g.op('MatMul', [x, w]);
  g.op('Add', [y, b], { output: 'y' });
  g.output('y', 'float32', ['batch', 4]);
  return g;
}

describe('GraphBuilder + saveModel + OnnxSession', () => {
  test('MatMul and Add give the numbers worked out by hand', async () => {
    const dir = await tempDir();
    const saved = await saveModel(matmulAddGraph(false), dir);
    const session = await OnnxSession.create(saved.modelPath, { intraOpThreads: 1 });
    const out = await session.run({ x: tensor.float32(new Float32Array([1, 0, 0, 0, 1, -1]), [2, 3]) });
    // row 0 = w[0] + b; row 1 = w[1] - w[2] + b
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 1.5, 4, 3, -3.5, -4.5, -3, -5]);
    expect(out.y!.dims).toEqual([2, 4]);
    await session.release();
  });

  test('a com.microsoft op (FusedMatMul with transB and alpha) runs', async () => {
    const g = new GraphBuilder({ name: 'fused', opsets: { '': 21, 'com.microsoft': 1 } });
    const a = g.input('a', 'float32', [1, 2, 2]);
    const b = g.input('b', 'float32', [1, 3, 2]);
    g.op('FusedMatMul', [a, b], {
      domain: 'com.microsoft',
      attrs: { transB: 1, alpha: attr.float(0.5) },
      output: 'c',
    });
    g.output('c', 'float32', [1, 2, 3]);
    const dir = await tempDir();
    const session = await OnnxSession.create((await saveModel(g, dir)).modelPath);
    const out = await session.run({
      a: tensor.float32(new Float32Array([1, 2, 3, 4]), [1, 2, 2]),
      b: tensor.float32(new Float32Array([1, 0, 0, 1, 1, 1]), [1, 3, 2]),
    });
    // 0.5 * a @ b^T: rows [1,2] -> [1, 2, 3] / 2; [3,4] -> [3, 4, 7] / 2
    expect(Array.from(out.c!.data as Float32Array)).toEqual([0.5, 1, 1.5, 1.5, 2, 3.5]);
  });

  test('large lazy initializers go to the external data file, aligned, and load back', async () => {
    const g = new GraphBuilder({ name: 'external', opsets: { '': 21 } });
    const x = g.input('x', 'float32', [1, 512]);
    const n = 512 * 600; // 1.2 MB: large-tensor alignment
    let produced = 0;
    const w = g.initializer('w', 'float32', [512, 600], () => {
      produced += 1;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 13) - 6;
      return data;
    });
    const small = g.initializer('small', 'float32', [600], new Float32Array(600).fill(1)); // 2400 B: external, small alignment
    const y = g.op('MatMul', [x, w]);
    g.op('Add', [y, small], { output: 'y' });
    g.output('y', 'float32', [1, 600]);
    const dir = await tempDir();
    const progress: number[] = [];
    // small write chunks exercise the loop that keeps each write under Node's 2 GiB limit
    const saved = await saveModel(g, dir, {
      onProgress: (done) => progress.push(done),
      writeChunkBytes: 100_000,
    });
    expect(produced).toBe(1);
    expect(progress).toEqual([n * 4, n * 4 + 2400]);
    expect(saved.dataPath).toBe(join(dir, 'model.onnx.data'));
    // the model file holds no weights; the data file holds both tensors, the second 64-byte aligned
    expect((await stat(saved.modelPath)).size).toBeLessThan(2000);
    expect((await stat(saved.dataPath!)).size).toBe(Math.ceil((n * 4) / 64) * 64 + 2400);
    const session = await OnnxSession.create(saved.modelPath);
    const x0 = new Float32Array(512);
    x0[3] = 1; // picks row 3 of w
    const out = await session.run({ x: tensor.float32(x0, [1, 512]) });
    const y0 = out.y!.data as Float32Array;
    for (const j of [0, 1, 599]) expect(y0[j]).toBe((((3 * 600 + j) * 7919) % 13) - 6 + 1);
    expect((await readFile(saved.modelPath)).includes(Buffer.from('model.onnx.data'))).toBe(true);
  });

  test('a lazy initializer with the wrong byte count is refused at save time', async () => {
    const g = new GraphBuilder({ name: 'bad', opsets: { '': 21 } });
    g.initializer('w', 'float32', [4], () => new Float32Array(3));
    await expect(saveModel(g, await tempDir())).rejects.toThrow(/"w" produced 12 bytes.*needs 16/);
  });

  test('undefined inputs, duplicate names and missing opsets are GraphBuildErrors', () => {
    const g = new GraphBuilder({ name: 'g', opsets: { '': 21 } });
    g.input('x', 'float32', [1]);
    expect(() => g.op('Relu', ['nope'])).toThrow(GraphBuildError);
    expect(() => g.input('x', 'float32', [1])).toThrow(/defined twice/);
    expect(() => g.op('FusedMatMul', ['x', 'x'], { domain: 'com.microsoft' })).toThrow(/no opset import/);
    expect(() => g.initializer('w', 'float32', [2], new Float32Array(3))).toThrow(/12 bytes/);
    expect(() => g.output('y', 'float32', [1])).toThrow(/not produced/);
  });
});

describe('OnnxRuntimeError', () => {
  test('a failing run names the model file and the node', async () => {
    const dir = await tempDir();
    // the inner dimension is symbolic, so the mismatch is found by the MatMul kernel, not input checks
    const saved = await saveModel(matmulAddGraph(true, 'k'), dir);
    const session = await OnnxSession.create(saved.modelPath);
    const error = await session.run({ x: tensor.float32(new Float32Array(4), [2, 2]) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OnnxRuntimeError);
    const e = error as OnnxRuntimeError;
    expect(e.modelPath).toBe(saved.modelPath);
    expect(e.phase).toBe('run');
    expect(e.message).toContain(saved.modelPath);
    // the optimizer fuses MatMul + Add, and onnxruntime names the fused node after ours
    expect(e.node).toContain('MatMul');
    expect(e.opType).toBeDefined();
  });

  test('loading a file that is not a model names the file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'broken.onnx');
    await import('node:fs/promises').then((fs) => fs.writeFile(path, 'not a model'));
    await expect(OnnxSession.create(path)).rejects.toMatchObject({
      code: 'onnx/load-failed',
      modelPath: path,
    });
  });
});

describe('wrapping a built graph: removeInput, removeOutput, sortedNodes, dataFile', () => {
  /** y = a + b, also exposing s = a * b. */
  function sumGraph(): GraphBuilder {
    const g = new GraphBuilder({ name: 'sum', opsets: { '': 21 } });
    g.input('a', 'float32', [2]);
    g.input('b', 'float32', [2]);
    g.op('Add', ['a', 'b'], { output: 'y' });
    g.op('Mul', ['a', 'b'], { output: 's' });
    g.output('y', 'float32', [2]);
    g.output('s', 'float32', [2]);
    return g;
  }

  test('a removed input is computed by a node added after its consumers; the saved graph runs', async () => {
    const g = sumGraph();
    expect(g.removeInput('b')).toEqual({ name: 'b', type: 'float32', dims: [2] });
    expect(g.unproduced()).toEqual(['b']);
    g.input('c', 'float32', [2]);
    g.op('Mul', ['c', g.scalarFloat(2)], { output: 'b' }); // b = 2c, defined after Add and Mul read it
    expect(g.unproduced()).toEqual([]);
    g.removeOutput('s');
    const order = g.sortedNodes().map((n) => n.outputs[0]);
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('y'));
    const dir = await tempDir();
    const saved = await saveModel(g, dir, { modelFile: 'sum.onnx', dataFile: 'sum.onnx_data' });
    const session = await OnnxSession.create(saved.modelPath, { intraOpThreads: 1 });
    expect(session.inputNames).toEqual(['a', 'c']);
    expect(session.outputNames).toEqual(['y']);
    const out = await session.run({
      a: tensor.float32(new Float32Array([1, 2]), [2]),
      c: tensor.float32(new Float32Array([10, -1]), [2]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([21, 0]);
  });

  test('renameValue frees a name for a new input of the same name (x -> x - 1 inside)', async () => {
    const g = sumGraph();
    g.renameValue('b', 'b_inner');
    expect(g.inputs.map((i) => i.name)).toEqual(['a', 'b_inner']);
    g.removeInput('b_inner');
    g.input('b', 'float32', [2]);
    g.op('Sub', ['b', g.scalarFloat(1)], { output: 'b_inner' });
    expect(() => g.renameValue('a', 'y')).toThrow(GraphBuildError);
    expect(() => g.renameValue('nope', 'z')).toThrow(GraphBuildError);
    const saved = await saveModel(g, await tempDir());
    const session = await OnnxSession.create(saved.modelPath, { intraOpThreads: 1 });
    const out = await session.run({
      a: tensor.float32(new Float32Array([1, 2]), [2]),
      b: tensor.float32(new Float32Array([5, 7]), [2]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([5, 8]);
    expect(Array.from(out.s!.data as Float32Array)).toEqual([4, 12]);
  });

  test('an already ordered graph keeps its node order', () => {
    const g = sumGraph();
    expect(g.sortedNodes()).toEqual(g.nodes);
  });

  test('a removed input nothing produces, or a name that is no input/output, is a GraphBuildError', async () => {
    const g = sumGraph();
    expect(() => g.removeInput('y')).toThrow(GraphBuildError);
    expect(() => g.removeOutput('a')).toThrow(GraphBuildError);
    g.removeInput('b');
    expect(() => g.sortedNodes()).toThrow(/"b" are not produced/);
    await expect(saveModel(g, await tempDir())).rejects.toThrow(GraphBuildError);
  });

  test('the external data file takes the dataFile name', async () => {
    const g = new GraphBuilder({ name: 'big', opsets: { '': 21 } });
    g.input('x', 'float32', [1, 512]);
    const w = g.initializer('w', 'float32', [512, 4], new Float32Array(2048).fill(0.5));
    g.op('MatMul', ['x', w], { output: 'y' });
    g.output('y', 'float32', [1, 4]);
    const dir = await tempDir();
    const saved = await saveModel(g, dir, { modelFile: 'm.onnx', dataFile: 'm.onnx_data' });
    expect(saved.dataPath).toBe(join(dir, 'm.onnx_data'));
    expect((await stat(saved.dataPath!)).size).toBe(8192);
    const session = await OnnxSession.create(saved.modelPath, { intraOpThreads: 1 });
    const out = await session.run({ x: tensor.float32(new Float32Array(512).fill(1), [1, 512]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([256, 256, 256, 256]);
  });
});

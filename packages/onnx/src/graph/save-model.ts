import { open, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GraphBuildError } from '../errors/graph-build-error.js';
import { encodeModel, type TensorMessage } from '../proto/onnx-messages.js';
import { bytesPerElement, type ElementType } from './data-type.js';
import { elementCount, type GraphBuilder } from './graph-builder.js';
import { PrefetchWindow } from './prefetch-window.js';

export interface SaveModelOptions {
  /** File name of the model inside `dir` (default `model.onnx`). */
  modelFile?: string;
  /** File name of the external data inside `dir` (default `<modelFile>.data`). */
  dataFile?: string;
  /** Tensors at most this many bytes stay inside the model file (default 1024). */
  inlineLimit?: number;
  /** String metadata stored in the model. */
  metadata?: Readonly<Record<string, string>>;
  /** Called after each initializer is written, with bytes written so far and the total. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Largest single write (default 1 GiB; Node refuses writes of 2 GiB or more). */
  writeChunkBytes?: number;
  /**
   * How far initializers are produced ahead of the one being written, in bytes of the initializers
   * started ahead (default 256 MiB; at least the next one always starts): producers that read and
   * quantize on other threads work while earlier tensors are written. 0: one at a time, none ahead.
   */
  prefetchBytes?: number;
}

export interface SavedModel {
  modelPath: string;
  /** The external data file, or undefined when every tensor fit inline. */
  dataPath: string | undefined;
  externalBytes: number;
}

/**
 * Written beside every saved model as `<model>.index.json`: where each external tensor lies in the
 * data file, and the model's metadata, so a runtime can read a tensor's bytes (e.g. to feed one table
 * to two sessions) without parsing the ONNX file.
 */
export interface ExternalDataIndex {
  metadata: Record<string, string>;
  tensors: Record<
    string,
    { location: string; offset: number; length: number; type: ElementType; dims: number[] }
  >;
}

/** Initializer bytes produced ahead of the one being written (see `SaveModelOptions.prefetchBytes`). */
const DEFAULT_PREFETCH_BYTES = 256 * 1024 * 1024;

/** Large tensors start on 64 KiB boundaries so onnxruntime can memory-map them. */
const LARGE_ALIGNMENT = 65536;
const SMALL_ALIGNMENT = 64;
const LARGE_TENSOR = 1 << 20;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Writes a graph as `dir/model.onnx` plus `dir/model.onnx.data` (external data). Initializers are
 * produced in order, a window of `prefetchBytes` ahead of the one being written, written and dropped,
 * so peak memory is about the largest tensor plus the window, whatever the model size; only the small
 * model proto (no weights) is held at the end.
 */
export async function saveModel(
  graph: GraphBuilder,
  dir: string,
  options: SaveModelOptions = {},
): Promise<SavedModel> {
  const modelFile = options.modelFile ?? 'model.onnx';
  const dataFile = options.dataFile ?? `${modelFile}.data`;
  const inlineLimit = options.inlineLimit ?? 1024;
  const chunk = options.writeChunkBytes ?? 1 << 30;
  const modelPath = join(dir, modelFile);
  const dataPath = join(dir, dataFile);
  const totalBytes = graph.initializers.reduce(
    (sum, t) => sum + Math.ceil(elementCount(t.dims) * bytesPerElement(t.type)),
    0,
  );

  const nodes = graph.sortedNodes(); // also refuses a removed input that nothing produces
  const tensors: TensorMessage[] = [];
  let offset = 0;
  let done = 0;
  const specs = graph.initializers;
  const expectedBytes = (i: number) =>
    Math.ceil(elementCount(specs[i]!.dims) * bytesPerElement(specs[i]!.type));
  const ahead = new PrefetchWindow(
    specs.length,
    expectedBytes,
    options.prefetchBytes ?? DEFAULT_PREFETCH_BYTES,
    (i) => {
      const { data } = specs[i]!;
      return typeof data === 'function' ? data() : data;
    },
  );
  const handle = await open(dataPath, 'w');
  try {
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const view = await ahead.take(i);
      const expected = expectedBytes(i);
      if (view.byteLength !== expected) {
        throw new GraphBuildError({
          graph: graph.name,
          reason: `initializer "${spec.name}" produced ${view.byteLength} bytes, [${spec.dims.join(', ')}] ${spec.type} needs ${expected}`,
        });
      }
      const bytes = bytesOf(view);
      if (bytes.byteLength <= inlineLimit) {
        tensors.push({ name: spec.name, type: spec.type, dims: spec.dims, raw: bytes.slice() });
      } else {
        const alignment = bytes.byteLength >= LARGE_TENSOR ? LARGE_ALIGNMENT : SMALL_ALIGNMENT;
        offset = Math.ceil(offset / alignment) * alignment;
        let written = 0;
        while (written < bytes.byteLength) {
          const length = Math.min(chunk, bytes.byteLength - written);
          const { bytesWritten } = await handle.write(bytes, written, length, offset + written);
          written += bytesWritten;
        }
        tensors.push({
          name: spec.name,
          type: spec.type,
          dims: spec.dims,
          external: { location: basename(dataPath), offset, length: bytes.byteLength },
        });
        offset += bytes.byteLength;
      }
      done += bytes.byteLength;
      options.onProgress?.(done, totalBytes);
    }
  } finally {
    ahead.drop();
    await handle.close();
  }

  const encoded = encodeModel({
    irVersion: 10,
    opsets: graph.opsets,
    producerName: '@gemma3/onnx',
    producerVersion: '0',
    graphName: graph.name,
    nodes,
    initializers: tensors,
    inputs: graph.inputs,
    outputs: graph.outputs,
    metadata: { ...graph.metadata, ...(options.metadata ?? {}) },
  });
  await writeFile(modelPath, encoded);
  const index: ExternalDataIndex = {
    metadata: { ...graph.metadata, ...(options.metadata ?? {}) },
    tensors: {},
  };
  for (const t of tensors) {
    if (t.external) index.tensors[t.name] = { ...t.external, type: t.type, dims: [...t.dims] };
  }
  await writeFile(`${modelPath}.index.json`, JSON.stringify(index));
  return { modelPath, dataPath: offset > 0 ? dataPath : undefined, externalBytes: offset };
}

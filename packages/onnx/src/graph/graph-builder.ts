import { GraphBuildError } from '../errors/graph-build-error.js';
import type {
  AttributeValue,
  Dim,
  NodeMessage,
  OpsetImport,
  TensorMessage,
  ValueInfo,
} from '../proto/onnx-messages.js';
import { bytesPerElement, type ElementType } from './data-type.js';

/** Bytes of a tensor, or a function that produces them when the model is saved (streaming). */
export type TensorData = ArrayBufferView | (() => ArrayBufferView | Promise<ArrayBufferView>);

export interface InitializerSpec {
  name: string;
  type: ElementType;
  dims: readonly number[];
  data: TensorData;
}

/** Attribute values: plain numbers are ints, strings are strings, number arrays are ints. */
export type AttributeInput = number | string | readonly number[] | AttributeValue;

export const attr = {
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
};

export interface NodeOptions {
  attrs?: Readonly<Record<string, AttributeInput>>;
  domain?: string;
  /** Node name; a unique one is made up from the op type when omitted. */
  name?: string;
  /** Output names, or how many outputs to make names for (default 1). */
  outputs?: number | readonly string[];
}

export interface GraphBuilderOptions {
  name: string;
  /** Opset per domain, e.g. `{ '': 21, 'com.microsoft': 1 }`. */
  opsets?: Readonly<Record<string, number>>;
}

function toAttribute(value: AttributeInput): AttributeValue {
  if (typeof value === 'number') return { kind: 'int', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (Array.isArray(value)) return { kind: 'ints', value: value as readonly number[] };
  return value as AttributeValue;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * Collects an ONNX graph: inputs and outputs with their types, nodes, and initializers whose bytes
 * may be produced lazily when the model is saved (so a large checkpoint is never held in memory).
 * Names are checked as the graph grows: a node input must already exist, and no name is defined twice.
 */
export class GraphBuilder {
  readonly name: string;
  readonly opsets: OpsetImport[];
  readonly nodes: NodeMessage[] = [];
  readonly initializers: InitializerSpec[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  /** String metadata saved with the model (merged with `saveModel`'s `metadata` option). */
  readonly metadata: Record<string, string> = {};
  private readonly defined = new Set<string>();
  /** Former inputs (see `removeInput`) that a node must still produce. */
  private readonly pending = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(options: GraphBuilderOptions) {
    this.name = options.name;
    this.opsets = Object.entries(options.opsets ?? { '': 21 }).map(([domain, version]) => ({
      domain,
      version,
    }));
  }

  private define(name: string): void {
    if (this.pending.delete(name)) return;
    if (this.defined.has(name)) {
      throw new GraphBuildError({ graph: this.name, reason: `value "${name}" is defined twice` });
    }
    this.defined.add(name);
  }

  has(name: string): boolean {
    return this.defined.has(name);
  }

  /** A fresh name with the given prefix (`prefix`, `prefix_1`, ...). */
  uniqueName(prefix: string): string {
    let n = this.counters.get(prefix) ?? 0;
    let name = n === 0 ? prefix : `${prefix}_${n}`;
    while (this.defined.has(name)) {
      n += 1;
      name = `${prefix}_${n}`;
    }
    this.counters.set(prefix, n + 1);
    return name;
  }

  input(name: string, type: ElementType, dims: readonly Dim[]): string {
    this.define(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Marks an existing value as a graph output, under its own name. */
  output(name: string, type: ElementType, dims: readonly Dim[]): string {
    if (!this.defined.has(name)) {
      throw new GraphBuildError({ graph: this.name, reason: `output "${name}" is not produced by any node` });
    }
    this.outputs.push({ name, type, dims });
    return name;
  }

  /**
   * Turns the graph input `name` into an internal value: nodes that already read it keep doing so,
   * and exactly one node added later must produce it (`node(..., { outputs: [name] })`). For wrapping
   * a built graph in another interface (e.g. computing an input from other inputs). Returns the
   * input's type and dims. `unproduced()` lists removed inputs no node produces yet.
   */
  removeInput(name: string): ValueInfo {
    const index = this.inputs.findIndex((i) => i.name === name);
    if (index < 0) throw new GraphBuildError({ graph: this.name, reason: `"${name}" is not a graph input` });
    const [info] = this.inputs.splice(index, 1);
    this.pending.add(name);
    return info!;
  }

  /**
   * Renames the value `from` everywhere it appears (graph input or output, initializer, node inputs
   * and outputs), e.g. to free a name for a new input of the same name. `to` must be unused.
   */
  renameValue(from: string, to: string): void {
    if (!this.defined.has(from)) {
      throw new GraphBuildError({ graph: this.name, reason: `cannot rename "${from}": no such value` });
    }
    this.define(to);
    this.defined.delete(from);
    if (this.pending.delete(from)) this.pending.add(to);
    const swap = (name: string): string => (name === from ? to : name);
    for (const [i, n] of this.nodes.entries()) {
      if (n.inputs.includes(from) || n.outputs.includes(from)) {
        this.nodes[i] = { ...n, inputs: n.inputs.map(swap), outputs: n.outputs.map(swap) };
      }
    }
    for (const list of [this.inputs, this.outputs]) {
      for (const [i, v] of list.entries()) if (v.name === from) list[i] = { ...v, name: to };
    }
    for (const spec of this.initializers) if (spec.name === from) spec.name = to;
  }

  /** Stops exposing `name` as a graph output (the value stays and may still feed nodes). */
  removeOutput(name: string): ValueInfo {
    const index = this.outputs.findIndex((o) => o.name === name);
    if (index < 0) throw new GraphBuildError({ graph: this.name, reason: `"${name}" is not a graph output` });
    const [info] = this.outputs.splice(index, 1);
    return info!;
  }

  /** Values taken away by `removeInput` that no node produces yet (a graph to save has none). */
  unproduced(): string[] {
    return [...this.pending];
  }

  /**
   * The nodes in an order where every node comes after the producers of its inputs (ONNX requires
   * it; `removeInput` lets a producer be added after its consumers). Already ordered graphs keep
   * their order. Throws `GraphBuildError` for a removed input nothing produces, or a cycle.
   */
  sortedNodes(): NodeMessage[] {
    const missing = this.unproduced();
    if (missing.length > 0) {
      throw new GraphBuildError({
        graph: this.name,
        reason: `removed input(s) ${missing.map((m) => `"${m}"`).join(', ')} are not produced by any node`,
      });
    }
    const producer = new Map<string, number>();
    this.nodes.forEach((n, i) => {
      for (const o of n.outputs) producer.set(o, i);
    });
    const state = new Uint8Array(this.nodes.length); // 0 new, 1 visiting, 2 done
    const order: NodeMessage[] = [];
    const visit = (start: number): void => {
      // Iterative depth-first post-order (graphs have thousands of nodes in long chains).
      const stack: [number, number][] = [[start, 0]];
      state[start] = 1;
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const [i, next] = top;
        const inputs = this.nodes[i]!.inputs;
        if (next < inputs.length) {
          top[1] = next + 1;
          const p = producer.get(inputs[next]!);
          if (p === undefined || state[p] === 2) continue;
          if (state[p] === 1) {
            throw new GraphBuildError({
              graph: this.name,
              node: this.nodes[p]!.name,
              reason: 'the graph has a cycle',
            });
          }
          state[p] = 1;
          stack.push([p, 0]);
        } else {
          state[i] = 2;
          order.push(this.nodes[i]!);
          stack.pop();
        }
      }
    };
    for (let i = 0; i < this.nodes.length; i++) if (state[i] === 0) visit(i);
    return order;
  }

  initializer(name: string, type: ElementType, dims: readonly number[], data: TensorData): string {
    this.define(name);
    if (ArrayBuffer.isView(data)) {
      const expected = Math.ceil(elementCount(dims) * bytesPerElement(type));
      if (data.byteLength !== expected) {
        throw new GraphBuildError({
          graph: this.name,
          reason: `initializer "${name}" has ${data.byteLength} bytes, [${dims.join(', ')}] ${type} needs ${expected}`,
        });
      }
    }
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  /** A small constant initializer with a generated name. */
  constant(
    prefix: string,
    type: 'float32' | 'int64',
    dims: readonly number[],
    values: readonly number[],
  ): string {
    const data = type === 'float32' ? new Float32Array(values) : BigInt64Array.from(values, (v) => BigInt(v));
    return this.initializer(this.uniqueName(prefix), type, dims, data);
  }

  int64s(values: readonly number[], prefix = 'const_i64'): string {
    return this.constant(prefix, 'int64', [values.length], values);
  }

  scalarFloat(value: number, prefix = 'const_f32'): string {
    return this.constant(prefix, 'float32', [], [value]);
  }

  /** Adds a node and returns its output names. */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const name = options.name ?? this.uniqueName(opType);
    for (const input of inputs) {
      if (input !== '' && !this.defined.has(input)) {
        throw new GraphBuildError({
          graph: this.name,
          node: name,
          reason: `input "${input}" of ${opType} is not defined yet`,
        });
      }
    }
    const outputSpec = options.outputs ?? 1;
    const outputs =
      typeof outputSpec === 'number'
        ? Array.from({ length: outputSpec }, (_, i) => (outputSpec === 1 ? `${name}_out` : `${name}_out${i}`))
        : [...outputSpec];
    for (const output of outputs) this.define(output);
    const attributes: Record<string, AttributeValue> = {};
    for (const [key, value] of Object.entries(options.attrs ?? {})) attributes[key] = toAttribute(value);
    const domain = options.domain ?? '';
    if (!this.opsets.some((o) => o.domain === domain)) {
      throw new GraphBuildError({
        graph: this.name,
        node: name,
        reason: `domain "${domain}" has no opset import`,
      });
    }
    this.nodes.push({ opType, domain, name, inputs, outputs, attributes });
    return outputs;
  }

  /** A node with exactly one output; returns its name. */
  op(
    opType: string,
    inputs: readonly string[],
    options: Omit<NodeOptions, 'outputs'> & { output?: string } = {},
  ): string {
    const { output, ...rest } = options;
    const [out] = this.node(opType, inputs, { ...rest, outputs: output === undefined ? 1 : [output] });
    return out!;
  }
}

export type { TensorMessage };

import { DataType, type ElementType } from '../graph/data-type.js';
import { ProtobufWriter } from './protobuf-writer.js';

/**
 * Encoders for the handful of ONNX messages a model needs. Field numbers from onnx/onnx.proto
 * (ONNX IR version 10): ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto (with external data), ValueInfoProto, TypeProto.Tensor, TensorShapeProto.
 */

/** A dimension: a fixed size or a symbolic name such as `batch`. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: ElementType;
  dims: readonly Dim[];
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'tensor'; value: TensorMessage };

export interface NodeMessage {
  opType: string;
  domain: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, AttributeValue>>;
}

export interface TensorMessage {
  name: string;
  type: ElementType;
  dims: readonly number[];
  /** Little-endian bytes held in the model file. */
  raw?: Uint8Array;
  /** Where the bytes are in an external data file, relative to the model file. */
  external?: { location: string; offset: number; length: number };
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface ModelMessage {
  irVersion: number;
  opsets: readonly OpsetImport[];
  producerName: string;
  producerVersion: string;
  graphName: string;
  nodes: readonly NodeMessage[];
  initializers: readonly TensorMessage[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  metadata: Readonly<Record<string, string>>;
}

const AttributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function encodeTensor(tensor: TensorMessage): Uint8Array {
  const w = new ProtobufWriter();
  w.packedInts(1, tensor.dims);
  w.int(2, DataType[tensor.type]);
  w.string(8, tensor.name);
  if (tensor.raw) w.bytes(9, tensor.raw);
  if (tensor.external) {
    const entries: [string, string][] = [
      ['location', tensor.external.location],
      ['offset', String(tensor.external.offset)],
      ['length', String(tensor.external.length)],
    ];
    for (const [key, value] of entries) {
      const entry = new ProtobufWriter();
      entry.string(1, key);
      entry.string(2, value);
      w.message(13, entry.finish());
    }
    w.int(14, 1); // data_location = EXTERNAL
  }
  return w.finish();
}

function encodeAttribute(name: string, attribute: AttributeValue): Uint8Array {
  const w = new ProtobufWriter();
  w.string(1, name);
  w.int(20, AttributeType[attribute.kind]);
  switch (attribute.kind) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.int(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(attribute.value));
      break;
    case 'floats':
      w.packedFloats(7, attribute.value);
      break;
    case 'ints':
      w.packedInts(8, attribute.value);
      break;
  }
  return w.finish();
}

function encodeNode(node: NodeMessage): Uint8Array {
  const w = new ProtobufWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes)) w.message(5, encodeAttribute(name, value));
  if (node.domain !== '') w.string(7, node.domain);
  return w.finish();
}

function encodeValueInfo(info: ValueInfo): Uint8Array {
  const shape = new ProtobufWriter();
  for (const dim of info.dims) {
    const d = new ProtobufWriter();
    if (typeof dim === 'number') d.int(1, dim);
    else d.string(2, dim);
    shape.message(1, d.finish());
  }
  const tensorType = new ProtobufWriter();
  tensorType.int(1, DataType[info.type]);
  tensorType.message(2, shape.finish());
  const type = new ProtobufWriter();
  type.message(1, tensorType.finish());
  const w = new ProtobufWriter();
  w.string(1, info.name);
  w.message(2, type.finish());
  return w.finish();
}

export function encodeModel(model: ModelMessage): Uint8Array {
  const graph = new ProtobufWriter();
  for (const node of model.nodes) graph.message(1, encodeNode(node));
  graph.string(2, model.graphName);
  for (const tensor of model.initializers) graph.message(5, encodeTensor(tensor));
  for (const input of model.inputs) graph.message(11, encodeValueInfo(input));
  for (const output of model.outputs) graph.message(12, encodeValueInfo(output));

  const w = new ProtobufWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  w.message(7, graph.finish());
  for (const opset of model.opsets) {
    const o = new ProtobufWriter();
    if (opset.domain !== '') o.string(1, opset.domain);
    o.int(2, opset.version);
    w.message(8, o.finish());
  }
  for (const [key, value] of Object.entries(model.metadata)) {
    const entry = new ProtobufWriter();
    entry.string(1, key);
    entry.string(2, value);
    w.message(14, entry.finish());
  }
  return w.finish();
}

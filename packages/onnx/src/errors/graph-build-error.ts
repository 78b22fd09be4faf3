import { Gemma3Error } from '@gemma3/errors';

/** A graph is malformed while being built or saved (undefined value, duplicate name, wrong byte count). */
export class GraphBuildError extends Gemma3Error {
  readonly graph: string;
  readonly node: string | undefined;
  readonly reason: string;

  constructor(fields: { graph: string; node?: string; reason: string; cause?: unknown }) {
    super({
      code: 'onnx/graph-build',
      message: `ONNX graph "${fields.graph}"${fields.node ? `, node ${fields.node}` : ''}: ${fields.reason}`,
      cause: fields.cause,
    });
    this.graph = fields.graph;
    this.node = fields.node;
    this.reason = fields.reason;
  }
}

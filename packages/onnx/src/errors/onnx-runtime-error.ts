import { Gemma3Error } from '@gemma3/errors';

/** onnxruntime failed to load or run a model; names the model file and, when ort says, the node. */
export class OnnxRuntimeError extends Gemma3Error {
  readonly modelPath: string;
  readonly phase: 'load' | 'run';
  /** Node name from onnxruntime's message, when it names one. */
  readonly node: string | undefined;
  /** Op type from onnxruntime's message, when it names one. */
  readonly opType: string | undefined;

  constructor(fields: { modelPath: string; phase: 'load' | 'run'; cause: unknown }) {
    const detail = fields.cause instanceof Error ? fields.cause.message : String(fields.cause);
    const match = /running (\S+) node\. Name:'([^']*)'/.exec(detail);
    const where = match ? ` (node ${match[2]}, ${match[1]})` : '';
    super({
      code: fields.phase === 'load' ? 'onnx/load-failed' : 'onnx/run-failed',
      message: `onnxruntime could not ${fields.phase} ${fields.modelPath}${where}: ${detail}`,
      cause: fields.cause,
    });
    this.modelPath = fields.modelPath;
    this.phase = fields.phase;
    this.opType = match?.[1];
    this.node = match?.[2];
  }
}

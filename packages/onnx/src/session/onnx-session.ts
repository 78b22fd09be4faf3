import * as ort from 'onnxruntime-node';
import { OnnxRuntimeError } from '../errors/onnx-runtime-error.js';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** CPU session options that matter for speed and memory. */
export interface SessionConfig {
  /** Threads for one op (default: onnxruntime's choice, all physical cores). */
  intraOpThreads?: number;
  /** Threads across independent ops (default 1: sequential execution). */
  interOpThreads?: number;
  /** Default `all`. */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** CPU memory arena (default on). */
  memoryArena?: boolean;
  /** Memory pattern planning (default on; shapes that change every run gain little). */
  memoryPattern?: boolean;
  /** Whether idle intra-op threads spin waiting for work (default on: lower latency, busier cores). */
  spinning?: boolean;
  /** onnxruntime log level: 0 verbose .. 4 fatal (default 3: errors only). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /**
   * Writes onnxruntime's per-node profile (a Chrome trace JSON, `<prefix>_<date>.json`) when the session
   * is released. For finding which ops take the time; slows every run a little.
   */
  profileFilePrefix?: string;
  /** Extra `session.*` config entries passed through unchanged. */
  extra?: Readonly<Record<string, string>>;
}

export type Feeds = Record<string, ort.Tensor>;

/** An onnxruntime session whose errors name the model file (and node, when onnxruntime says). */
export class OnnxSession {
  private constructor(
    readonly modelPath: string,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(modelPath: string, config: SessionConfig = {}): Promise<OnnxSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: config.graphOptimizationLevel ?? 'all',
      enableCpuMemArena: config.memoryArena ?? true,
      enableMemPattern: config.memoryPattern ?? true,
      executionMode: 'sequential',
      logSeverityLevel: config.logSeverityLevel ?? 3,
      extra: {
        session: {
          intra_op: { allow_spinning: (config.spinning ?? true) ? '1' : '0' },
          inter_op: { allow_spinning: (config.spinning ?? true) ? '1' : '0' },
        },
        ...(config.extra ?? {}),
      },
    };
    if (config.profileFilePrefix !== undefined) {
      options.enableProfiling = true;
      options.profileFilePrefix = config.profileFilePrefix;
    }
    if (config.intraOpThreads !== undefined) options.intraOpNumThreads = config.intraOpThreads;
    if (config.interOpThreads !== undefined) options.interOpNumThreads = config.interOpThreads;
    try {
      return new OnnxSession(modelPath, await ort.InferenceSession.create(modelPath, options));
    } catch (cause) {
      throw new OnnxRuntimeError({ modelPath, phase: 'load', cause });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the model; fetches every output unless `outputNames` lists some (then the result is typed by
   * those names). Feeds naming no model input, or missing one, are reported by onnxruntime.
   */
  async run<K extends string = string>(
    feeds: Feeds,
    outputNames?: readonly K[],
  ): Promise<Record<K, ort.Tensor>> {
    try {
      return (
        outputNames === undefined
          ? await this.session.run(feeds)
          : await this.session.run(feeds, outputNames as unknown as string[])
      ) as Record<K, ort.Tensor>;
    } catch (cause) {
      throw new OnnxRuntimeError({ modelPath: this.modelPath, phase: 'run', cause });
    }
  }

  /**
   * Runs the model and fetches every output, writing those named in `into` into the given tensors
   * (preallocated, of the output's exact shape) instead of buffers of its own (the result's tensor for
   * such an output holds the same values; onnxruntime-node may wrap them in a new object). For outputs
   * read once per step (logits), so a loop does not allocate a new buffer per step.
   */
  async runInto(
    feeds: Feeds,
    into: Readonly<Record<string, ort.Tensor>>,
  ): Promise<Record<string, ort.Tensor>> {
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const name of this.session.outputNames) fetches[name] = into[name] ?? null;
    try {
      return (await this.session.run(feeds, fetches)) as Record<string, ort.Tensor>;
    } catch (cause) {
      throw new OnnxRuntimeError({ modelPath: this.modelPath, phase: 'run', cause });
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Tensor constructors with the element type in the name (inputs are passed to onnxruntime without a copy). */
export const tensor = {
  float32: (data: Float32Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('float32', data, dims),
  int64: (data: BigInt64Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('int64', data, dims),
  int32: (data: Int32Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('int32', data, dims),
  bool: (data: Uint8Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('bool', data, dims),
  uint8: (data: Uint8Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('uint8', data, dims),
};

export type { ort };

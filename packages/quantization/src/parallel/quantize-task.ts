import type { BlockQuantSpec } from '../block-quantize.js';
import {
  type BlockOutputs,
  type ChannelOutputs,
  quantizeBlockRows,
  quantizeChannelRows,
} from './quantize-rows.js';
import type { RowSource } from './row-source.js';

/**
 * Rows of one tensor to quantize, as posted to a worker: every typed array lies in a SharedArrayBuffer,
 * so the worker reads the source and writes its rows of the outputs in place (nothing is copied).
 */
export type QuantizeTask = {
  /** For error messages. */
  tensor: string;
  source: RowSource;
  rows: number;
  cols: number;
  rowStart: number;
  rowEnd: number;
} & ({ kind: 'blocks'; spec: BlockQuantSpec; out: BlockOutputs } | { kind: 'channels'; out: ChannelOutputs });

/** Runs a task on this thread. */
export function runQuantizeTask(task: QuantizeTask): void {
  if (task.kind === 'blocks') {
    quantizeBlockRows(task.source, task.rows, task.cols, task.spec, task.rowStart, task.rowEnd, task.out);
  } else {
    quantizeChannelRows(task.source, task.rows, task.cols, task.rowStart, task.rowEnd, task.out);
  }
}

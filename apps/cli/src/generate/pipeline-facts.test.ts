import { PIPELINE_TASKS, quantizationOptionsOf, weightOpsOf } from '@gemma3/pipeline';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors/usage-error.js';
import { BLOCK_SIZES, DTYPES, dtypeOptions } from './dtype-flags.js';
import { TASKS } from './tasks.js';

// `run` checks its command line without importing @gemma3/pipeline; what it copies must agree with it.
describe("the CLI's copies of pipeline facts", () => {
  test("TASKS is the pipeline's PIPELINE_TASKS", () => {
    expect(TASKS).toEqual(PIPELINE_TASKS);
  });

  test('every --dtype / --block-size / --prefill combination dtypeOptions accepts, the pipeline accepts', () => {
    let accepted = 0;
    for (const dtype of [undefined, ...DTYPES]) {
      for (const block of [undefined, ...BLOCK_SIZES.map(String)]) {
        for (const prefill of [undefined, 'int8', 'same']) {
          const values = { dtype, 'block-size': block, prefill };
          let options: ReturnType<typeof dtypeOptions>;
          try {
            options = dtypeOptions(values, 'run');
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
            continue;
          }
          accepted++;
          expect(() => quantizationOptionsOf(options), JSON.stringify(values)).not.toThrow();
          expect(() => weightOpsOf(options), JSON.stringify(values)).not.toThrow();
        }
      }
    }
    // No flags; fp32 and float32 alone; q8 and q4 with 5 block sizes or none (6) x int8, same or none (3).
    expect(accepted).toBe(1 + 2 + 2 * 6 * 3);
  });
});

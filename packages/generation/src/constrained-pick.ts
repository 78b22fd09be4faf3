import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import type { ResolvedSettings } from './generation-options.js';
import type { LogitsConstraint } from './logits-constraint.js';

/** Checks generate()'s `constraints` option against the batch: one entry per row, and an end token to finish with. */
export function checkConstraints(
  constraints: readonly (LogitsConstraint | null | undefined)[] | undefined,
  batchSize: number,
  eosTokenIds: readonly number[],
): void {
  if (constraints === undefined) return;
  if (!Array.isArray(constraints) || constraints.length !== batchSize) {
    throw new InvalidGenerationOptionError({
      option: 'constraints',
      value: Array.isArray(constraints) ? `${constraints.length} entries` : constraints,
      rule: `must have one entry (a constraint or null) per row, ${batchSize} rows`,
    });
  }
  if (constraints.some((c) => c != null) && eosTokenIds.length === 0) {
    throw new InvalidGenerationOptionError({
      option: 'constraints',
      value: 'no eos_token_id',
      rule: 'a constrained row needs an end token (eosTokenId) to finish a complete output',
    });
  }
}

/**
 * One constrained pick: the constraint masks the raw scores [V] in place, `choose` runs the usual
 * processors and picks, the constraint advances. Without a constraint, just `choose`.
 */
export function constrainedPick(
  constraint: LogitsConstraint | null | undefined,
  scores: Float32Array,
  step: number,
  settings: ResolvedSettings,
  choose: () => number,
): number {
  if (constraint == null) return choose();
  const context = {
    endTokenIds: settings.eosTokenIds,
    remainingTokens: settings.maxNewTokens - step + 1,
    step,
  };
  constraint.mask(scores, context);
  const token = choose();
  constraint.accept(token, context);
  return token;
}

import { Gemma3Error } from '@gemma3/errors';

/** An option of `exportTransformersJs` / `TransformersJsCausalLM.fromFolder` is not one we support. */
export class ExportOptionsError extends Gemma3Error {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, reason: string) {
    super({
      code: 'transformers-js/invalid-option',
      message: `${option} = ${JSON.stringify(value)}: ${reason}`,
    });
    this.option = option;
    this.value = value;
  }
}

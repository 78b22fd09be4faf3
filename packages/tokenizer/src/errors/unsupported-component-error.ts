import { Gemma3Error } from '@gemma3/errors';

/** tokenizer.json declares a component (normalizer, pre-tokenizer, model, ...) this package does not implement. */
export class UnsupportedComponentError extends Gemma3Error {
  readonly file: string;
  /** Which component, e.g. `normalizer`, `pre_tokenizer.pretokenizers[1]`, `decoder.decoders[0]`. */
  readonly component: string;
  /** The declared `type` (or option) that is unsupported. */
  readonly componentType: string;

  constructor({
    file,
    component,
    componentType,
  }: { file: string; component: string; componentType: string }) {
    super({
      code: 'tokenizer/unsupported-component',
      message: `${file}: ${component} of type ${JSON.stringify(componentType)} is not supported`,
    });
    this.file = file;
    this.component = component;
    this.componentType = componentType;
  }
}

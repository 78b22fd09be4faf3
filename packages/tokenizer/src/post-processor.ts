import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import type { JsonFields } from './json-fields.js';

/** What the post-processor adds around one sequence: ids before and after it. */
export interface SinglePostProcessor {
  prefix: number[];
  suffix: number[];
}

/**
 * TemplateProcessing for single sequences (`single`: SpecialToken items around one `Sequence` "A");
 * other post-processor types are an UnsupportedComponentError.
 */
export function buildPostProcessor(spec: unknown, fields: JsonFields): SinglePostProcessor {
  if (spec === null || spec === undefined) return { prefix: [], suffix: [] };
  const node = fields.object(spec, 'post_processor');
  const type = fields.string(node.type, 'post_processor.type');
  if (type !== 'TemplateProcessing') {
    throw new UnsupportedComponentError({
      file: fields.file,
      component: 'post_processor',
      componentType: type,
    });
  }
  const specials = fields.object(node.special_tokens, 'post_processor.special_tokens');
  const single = fields.array(node.single, 'post_processor.single');
  const result: SinglePostProcessor = { prefix: [], suffix: [] };
  let seenSequence = false;
  single.forEach((item, i) => {
    const path = `post_processor.single[${i}]`;
    const entry = fields.object(item, path);
    if (entry.Sequence !== undefined) {
      const id = fields.string(fields.object(entry.Sequence, `${path}.Sequence`).id, `${path}.Sequence.id`);
      if (id !== 'A' || seenSequence)
        fields.fail(`${path}.Sequence.id`, 'a single template holds sequence "A" once');
      seenSequence = true;
      return;
    }
    const name = fields.string(
      fields.object(entry.SpecialToken, `${path}.SpecialToken`).id,
      `${path}.SpecialToken.id`,
    );
    const special = fields.object(specials[name], `post_processor.special_tokens[${JSON.stringify(name)}]`);
    const ids = fields
      .array(special.ids, `post_processor.special_tokens[${JSON.stringify(name)}].ids`)
      .map((id, k) => fields.tokenId(id, `post_processor.special_tokens[${JSON.stringify(name)}].ids[${k}]`));
    (seenSequence ? result.suffix : result.prefix).push(...ids);
  });
  if (!seenSequence) fields.fail('post_processor.single', 'no Sequence "A" item');
  return result;
}

import type { Tokenizer } from '@gemma3/tokenizer';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../generate.js';
import { loadGemmaVocabulary } from '../test-utils/gemma-vocabulary.js';
import { RotatingModel } from '../test-utils/rotating-model.js';
import { compileJsonSchemaGrammar, compileRegexGrammar } from './compile.js';
import type { TokenVocabulary } from './token-vocabulary.js';

let tokenizer: Tokenizer;
let vocabulary: TokenVocabulary;
const EOS = [1, 106];
const VOCAB = 262208;

beforeAll(async () => {
  ({ tokenizer, vocabulary } = await loadGemmaVocabulary());
}, 60_000);

/** A model that wants to write `target` (its token ids, then eos), over random scores elsewhere. */
class ScriptedModel extends RotatingModel {
  constructor(private readonly script: readonly number[]) {
    super(VOCAB, 11);
  }
  override async startSession(options: { batchSize: number }) {
    const inner = await super.startSession(options);
    const boost = (logits: Float32Array, step: number) => {
      const id = this.script[step];
      if (id !== undefined) logits[id] = 100;
      return logits;
    };
    return {
      ...inner,
      prefill: async (i: Parameters<typeof inner.prefill>[0]) => boost(await inner.prefill(i), 0),
      decode: async (i: Parameters<typeof inner.decode>[0]) => boost(await inner.decode(i), i.step),
    };
  }
}

describe('a constraint that allows what the model picks anyway changes nothing', () => {
  test.each([3, 17, 99])(
    'greedy, any-text regex, rotating model seed %i: same tokens as the plain path',
    async (seed) => {
      const options = { inputIds: [[2, 9]], maxNewTokens: 40, eosTokenId: EOS };
      const plain = await generate(new RotatingModel(VOCAB, seed), options);
      const plainTokens = plain.newTokens[0] as number[];
      // precondition: the plain path picked only text tokens (what the constraint allows)
      const bytes = plainTokens.filter((id) => !EOS.includes(id)).map((id) => vocabulary.tokenBytes[id]);
      expect(bytes.every((b) => b != null)).toBe(true);
      const all = Uint8Array.from(bytes.flatMap((b) => [...(b as Uint8Array)]));
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(all)).not.toThrow();
      const constrained = await generate(new RotatingModel(VOCAB, seed), {
        ...options,
        constraints: [compileRegexGrammar('[\\s\\S]*', vocabulary).constraint()],
      });
      expect(constrained.newTokens).toEqual(plain.newTokens);
      expect(constrained.finishReasons).toEqual(plain.finishReasons);
    },
  );

  test('greedy, a model that writes a valid document: same tokens with its schema as without', async () => {
    const text = '{"name": "Ada Lovelace", "born": 1815, "tags": ["math", "😀 ünïcode"], "alive": false}';
    const script = [...tokenizer.encode(text, { addSpecialTokens: false }), 106];
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        born: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
        alive: { type: 'boolean' },
      },
      required: ['name', 'born', 'tags', 'alive'],
      additionalProperties: false,
    };
    const options = { inputIds: [[2, 9]], maxNewTokens: 60, eosTokenId: EOS };
    const plain = await generate(new ScriptedModel(script), options);
    expect(plain.newTokens[0]).toEqual(script);
    const constrained = await generate(new ScriptedModel(script), {
      ...options,
      constraints: [compileJsonSchemaGrammar(schema, vocabulary).constraint()],
    });
    expect(constrained.newTokens).toEqual(plain.newTokens);
    expect(constrained.finishReasons).toEqual(['stop']);
  });

  test('the same scripted model is stopped from leaving the schema', async () => {
    const text = '{"name": 5}';
    const script = [...tokenizer.encode(text, { addSpecialTokens: false }), 106];
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const constrained = await generate(new ScriptedModel(script), {
      inputIds: [[2, 9]],
      maxNewTokens: 30,
      eosTokenId: EOS,
      constraints: [compileJsonSchemaGrammar(schema, vocabulary).constraint()],
    });
    const tokens = (constrained.newTokens[0] as number[]).filter((id) => !EOS.includes(id));
    const out = tokenizer.decode(tokens);
    expect(out.startsWith('{"name": ')).toBe(true); // the script's tokens up to the number
    expect(typeof JSON.parse(out).name).toBe('string');
  });
});

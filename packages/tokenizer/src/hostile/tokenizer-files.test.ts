import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplateRenderError } from '../errors/chat-template-render-error.js';
import { InvalidTextError } from '../errors/invalid-text-error.js';
import { InvalidTokenIdError } from '../errors/invalid-token-id-error.js';
import { TokenizerFileError } from '../errors/tokenizer-file-error.js';
import { UnsupportedComponentError } from '../errors/unsupported-component-error.js';
import { loadGemmaTokenizer, readFixture } from '../test-utils/gemma-files.js';
import { tokenizerFromJson } from '../test-utils/tokenizer-from-json.js';
import { Tokenizer } from '../tokenizer.js';

// Hostile tokenizer files and inputs: each gets a typed error naming the file and field, or (for
// malformed byte pieces) the reference's own behaviour. A small valid file is mutated per case.
// biome-ignore lint/suspicious/noExplicitAny: the cases reach into arbitrary places of a parsed JSON file
type Json = any;
const { variants } = readFixture<{ variants: { tokenizer: Json }[] }>('synthetic.json');
const valid: Json = variants[0]!.tokenizer;
const mutated = (change: (json: Json) => void): Json => {
  const json = structuredClone(valid);
  change(json);
  return json;
};

function errorOf(json: unknown): unknown {
  try {
    tokenizerFromJson(json, null, 'model/tokenizer.json');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('malformed tokenizer.json', () => {
  const fieldCases: [string, (json: Json) => void, string][] = [
    ['model missing', (j) => delete j.model, 'model'],
    ['vocab not an object', (j) => (j.model.vocab = [1, 2]), 'model.vocab'],
    ['negative vocab id of a merged token', (j) => (j.model.vocab.a = -4), 'model.merges[3]'],
    ['merges missing', (j) => delete j.model.merges, 'model.merges'],
    [
      'merge of an unknown token',
      (j) => j.model.merges.push(['th', 'zz']),
      `model.merges[${valid.model.merges.length}]`,
    ],
    ['merge with three parts', (j) => (j.model.merges[0] = 't h e'), 'model.merges[0]'],
    ['unk_token not in vocab', (j) => (j.model.unk_token = '<nope>'), 'model.unk_token'],
    ['added token without content', (j) => delete j.added_tokens[0].content, 'added_tokens[0].content'],
    ['added token with a string id', (j) => (j.added_tokens[1].id = 'x'), 'added_tokens[1].id'],
    [
      'template special token unknown',
      (j) => (j.post_processor.single[0].SpecialToken.id = '<zz>'),
      'post_processor.special_tokens["<zz>"]',
    ],
    ['decoder without type', (j) => delete j.decoder.type, 'decoder.type'],
  ];
  it.each(fieldCases)('%s -> TokenizerFileError naming the field', (_name, change, field) => {
    const error = errorOf(mutated(change));
    expect(error).toBeInstanceOf(TokenizerFileError);
    expect((error as TokenizerFileError).field).toBe(field);
    expect((error as TokenizerFileError).file).toBe('model/tokenizer.json');
  });

  const unsupportedCases: [string, (json: Json) => void, string, string][] = [
    ['WordPiece model', (j) => (j.model.type = 'WordPiece'), 'model', 'WordPiece'],
    ['BertNormalizer', (j) => (j.normalizer = { type: 'BertNormalizer' }), 'normalizer', 'BertNormalizer'],
    [
      'Regex Replace',
      (j) => (j.normalizer = { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }),
      'normalizer.pattern',
      'Regex',
    ],
    [
      'ByteLevel pre-tokenizer',
      (j) => (j.pre_tokenizer = { type: 'ByteLevel' }),
      'pre_tokenizer',
      'ByteLevel',
    ],
    [
      'Metaspace decoder in a Sequence',
      (j) => j.decoder.decoders.unshift({ type: 'Metaspace' }),
      'decoder.decoders[0]',
      'Metaspace',
    ],
    [
      'BertProcessing',
      (j) => (j.post_processor = { type: 'BertProcessing' }),
      'post_processor',
      'BertProcessing',
    ],
    ['dropout', (j) => (j.model.dropout = 0.1), 'model.dropout', '0.1'],
    [
      'truncation in the file',
      (j) => (j.truncation = { max_length: 8 }),
      'truncation',
      'non-null (set them per call)',
    ],
  ];
  it.each(unsupportedCases)('%s -> UnsupportedComponentError', (_name, change, component, type) => {
    const error = errorOf(mutated(change));
    expect(error).toBeInstanceOf(UnsupportedComponentError);
    expect((error as UnsupportedComponentError).component).toBe(component);
    expect((error as UnsupportedComponentError).componentType).toBe(type);
  });

  it('a bad id of a token no merge uses is reported on first use of the id table (not parsed up front: load time)', () => {
    const tokenizer = tokenizerFromJson(mutated((j) => (j.model.vocab.X = 1.5)));
    let error: unknown;
    try {
      tokenizer.decode([2]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenizerFileError);
    expect((error as TokenizerFileError).field).toBe('model.vocab["X"]');
  });

  it('a file that is not JSON, or missing, is a TokenizerFileError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(Tokenizer.fromPretrained(dir)).rejects.toBeInstanceOf(TokenizerFileError);
    await expect(Tokenizer.fromPretrained(join(dir, 'absent'))).rejects.toBeInstanceOf(TokenizerFileError);
    // A bad merge on disk: the byte scanner declines, the ordinary path names the field.
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify(mutated((j) => j.model.merges.push(['th', 'zz']))),
    );
    await expect(Tokenizer.fromPretrained(dir)).rejects.toMatchObject({
      name: 'TokenizerFileError',
      field: `model.merges[${valid.model.merges.length}]`,
    });
    // No tokenizer_config.json: the tokenizer works, a chat template is then a typed error.
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(valid));
    const bare = await Tokenizer.fromPretrained(dir);
    expect(bare.encode('the')).toEqual([1, 34]);
    expect(() => bare.applyChatTemplate([{ role: 'user', content: 'hi' }])).toThrow(ChatTemplateRenderError);
    writeFileSync(join(dir, 'tokenizer_config.json'), '[1]');
    await expect(Tokenizer.fromPretrained(dir)).rejects.toBeInstanceOf(TokenizerFileError);
  });

  it('malformed byte-fallback pieces decode exactly as the reference decodes them', () => {
    // `<0xZZ>`, `<0x4>`, `<0x4142>` are literal text; `<0xe4>` and `<0x+F>` are bytes (Rust u8::from_str_radix).
    const { malformedBytePieces } = readFixture<{
      malformedBytePieces: { tokenizer: Json; cases: { ids: number[]; text: string }[] };
    }>('synthetic.json');
    const tokenizer = tokenizerFromJson(malformedBytePieces.tokenizer);
    expect(malformedBytePieces.cases.length).toBe(8);
    for (const c of malformedBytePieces.cases) expect(tokenizer.decode(c.ids)).toBe(c.text);
  });
});

describe('hostile inputs to the Gemma 3 tokenizer', () => {
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    tokenizer = await loadGemmaTokenizer();
  });

  it.each([[262145], [-1], [1.5], [Number.NaN], [2 ** 40]])(
    'decode refuses id %s with InvalidTokenIdError',
    (id) => {
      const error = (() => {
        try {
          tokenizer.decode([2, 9259, id]);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidTokenIdError);
      expect((error as InvalidTokenIdError).index).toBe(2);
      expect((error as InvalidTokenIdError).vocabSize).toBe(262145);
      expect(() => tokenizer.idToToken(id)).toThrow(InvalidTokenIdError);
      expect(() => tokenizer.createStreamDecoder().push(id)).toThrow(InvalidTokenIdError);
    },
  );

  it('encode refuses lone surrogates and non-strings with InvalidTextError', () => {
    expect(() => tokenizer.encode('ab\uD800cd')).toThrow(InvalidTextError);
    expect(() => tokenizer.encode('\uDC00')).toThrow(InvalidTextError);
    expect(() => tokenizer.encode(42 as never)).toThrow(InvalidTextError);
    expect(tokenizer.encode('\uD83D\uDE00', { addSpecialTokens: false })).toHaveLength(1); // a valid pair is fine
  });

  it('a 1 MB line without any space or merge boundary stays fast (no quadratic merge loop)', () => {
    const text = 'ab'.repeat(500_000);
    const start = performance.now();
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    expect(tokenizer.decode(ids)).toBe(text);
    expect(performance.now() - start).toBeLessThan(20_000); // generous: 2 shared cores; quadratic would take hours
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidEncodeOptionError } from './errors/invalid-encode-option-error.js';
import { gemmaModelDir, loadGemmaTokenizer } from './test-utils/gemma-files.js';
import { Tokenizer } from './tokenizer.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadGemmaTokenizer();
});

describe('encodeBatch', () => {
  it('pads on the left (tokenizer_config padding_side) with <pad> and masks the padding', () => {
    const short = tokenizer.encode('Hi');
    const long = tokenizer.encode('Hello there, how are you today?');
    const batch = tokenizer.encodeBatch(['Hi', 'Hello there, how are you today?']);
    const pad = long.length - short.length;
    expect(batch.inputIds).toEqual([[...Array(pad).fill(0), ...short], long]);
    expect(batch.attentionMask).toEqual([
      [...Array(pad).fill(0), ...Array(short.length).fill(1)],
      Array(long.length).fill(1),
    ]);
  });

  it('pads to maxLength and truncates only when asked, on the configured side', () => {
    const ids = tokenizer.encode('one two three four five six');
    expect(() => tokenizer.encodeBatch(['one two three four five six'], { maxLength: 3 })).toThrow(
      InvalidEncodeOptionError,
    );
    expect(
      tokenizer.encodeBatch(['one two three four five six'], { maxLength: 3, truncation: true }).inputIds,
    ).toEqual([ids.slice(0, 3)]);
    expect(
      tokenizer.encodeBatch(['one two three four five six'], {
        maxLength: 3,
        truncation: true,
        truncationSide: 'left',
      }).inputIds,
    ).toEqual([ids.slice(-3)]);
    const padded = tokenizer.encodeBatch(['a'], {
      padding: 'max_length',
      maxLength: 5,
      paddingSide: 'right',
    });
    expect(padded.inputIds).toEqual([[...tokenizer.encode('a'), 0, 0, 0]]);
    expect(padded.attentionMask).toEqual([[1, 1, 0, 0, 0]]);
  });

  it('refuses invalid options', () => {
    expect(() => tokenizer.encodeBatch(['a'], { maxLength: 0 })).toThrow(InvalidEncodeOptionError);
    expect(() => tokenizer.encodeBatch(['a'], { truncation: true })).toThrow(InvalidEncodeOptionError);
    expect(() => tokenizer.encodeBatch(['a', 'a b c'], { padding: false })).toThrow(InvalidEncodeOptionError);
  });
});

describe('ids and tokens', () => {
  it('maps special tokens both ways', () => {
    expect(tokenizer.tokenToId('<image_soft_token>')).toBe(262144);
    expect(tokenizer.idToToken(255999)).toBe('<start_of_image>');
    expect(tokenizer.idToToken(106)).toBe('<end_of_turn>');
    expect(tokenizer.tokenToId('<0xE4>')).toBeTypeOf('number');
    expect(tokenizer.tokenToId('no such token, surely')).toBeUndefined();
    expect(tokenizer.tokenToId('\uD800')).toBeUndefined();
    expect(tokenizer.tokenToId('\uFFFD')).toBeTypeOf('number');
    expect(tokenizer.vocabSize).toBe(262145);
  });

  it('loads from a tokenizer.json path too, with the config beside it', async () => {
    const fromFile = await Tokenizer.fromPretrained(`${gemmaModelDir}/tokenizer.json`);
    expect(fromFile.specialTokenIds).toEqual(tokenizer.specialTokenIds);
    expect(fromFile.chatTemplate).toBe(tokenizer.chatTemplate);
  });
});

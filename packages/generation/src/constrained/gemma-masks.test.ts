import { beforeAll, describe, expect, test } from 'vitest';
import { loadGemmaVocabulary } from '../test-utils/gemma-vocabulary.js';
import { compileJsonGrammar, compileJsonSchemaGrammar } from './compile.js';
import type { CompiledGrammar } from './compiled-grammar.js';
import { expandAllowed } from './token-masks.js';
import type { TokenVocabulary } from './token-vocabulary.js';

let vocabulary: TokenVocabulary;

beforeAll(async () => {
  ({ vocabulary } = await loadGemmaVocabulary());
}, 60_000);

const encoder = new TextEncoder();

function stateAfter(grammar: CompiledGrammar, text: string): number {
  let state = grammar.dfa.start;
  for (const byte of encoder.encode(text)) state = grammar.dfa.next(state, byte);
  if (state < 0) throw new Error(`prefix ${text} is not in the language`);
  return state;
}

/** Every token, one by one: the allowed set by definition (its bytes keep the DFA alive and completable). */
function bruteForce(grammar: CompiledGrammar, state: number): number[] {
  const allowed: number[] = [];
  vocabulary.tokenBytes.forEach((bytes, id) => {
    if (bytes === null || bytes.length === 0) return;
    let q = state;
    for (const byte of bytes) {
      q = grammar.dfa.next(q, byte);
      if (q < 0) return;
    }
    if (grammar.dfa.distance(q) >= 0) allowed.push(id);
  });
  return allowed;
}

describe('allowed tokens over the real Gemma 3 vocabulary (262k tokens)', () => {
  test('the trie walk (with its plain-text shortcut) gives exactly the brute-force set', () => {
    const grammar = compileJsonSchemaGrammar(
      {
        type: 'object',
        properties: {
          name: { type: 'string' },
          tag: { type: 'string', maxLength: 3 },
          when: { type: 'string', format: 'date-time' },
          n: { type: 'number' },
          list: { type: 'array', items: { enum: ['é', 'x"y'] } },
          long: { type: 'string', minLength: 3, maxLength: 40 },
          mail: { type: 'string', format: 'email' },
          code: { type: 'string', pattern: '^[a-z]{2,30}-[0-9]{1,3}$' },
        },
        required: ['name', 'tag', 'when', 'n', 'list', 'long', 'mail', 'code'],
      },
      vocabulary,
    );
    const prefixes = [
      '',
      '{',
      '{"name": "',
      '{"name": "abc\u00e9',
      '{"name":"\\',
      '{"name":"\\u00',
      '{"name":"","tag":"a',
      '{"name":"","tag":"',
      '{"name":"","tag":"","when":"2024-0',
      '{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":-1.',
      '{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":["x\\"',
      '{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":[],"long":"',
      '{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":[],"long":"ab',
      '{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":[],"long":"abcdefghijklmnopqrstuvwxyz0123456789',
      ...['', 'ab', 'ab.c', 'ab@', 'ab@cd', 'ab@cd-e', 'ab@cd.ef', `ab@${'x'.repeat(55)}`].map(
        (m) => `{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":[],"long":"abc","mail":"${m}`,
      ),
      ...['', 'a', 'abcdefghijklmnopqrstuvwxyzabc', 'ab-', 'ab-12'].map(
        (c) =>
          `{"name":"","tag":"","when":"2024-01-01T00:00:00Z","n":1,"list":[],"long":"abc","mail":"a@b.c","code":"${c}`,
      ),
    ];
    for (const prefix of prefixes) {
      const state = stateAfter(grammar, prefix);
      const walked = [...expandAllowed(grammar.masks.allowed(state), vocabulary).ids].sort((a, b) => a - b);
      expect(walked, prefix).toEqual(bruteForce(grammar, state));
    }
  });

  test('inside a string: multi-byte characters can be written with byte-fallback tokens', () => {
    const grammar = compileJsonGrammar(vocabulary);
    const state = stateAfter(grammar, '"');
    const allowed = new Set(expandAllowed(grammar.masks.allowed(state), vocabulary).ids);
    const byteToken = (b: number) =>
      vocabulary.tokenBytes.findIndex((t) => t?.length === 1 && t[0] === b && t !== null);
    // 😀 = F0 9F 98 80: the lead byte is allowed; a lone continuation byte is not
    expect(allowed.has(byteToken(0xf0))).toBe(true);
    expect(allowed.has(byteToken(0x80))).toBe(false);
    const afterLead = grammar.dfa.next(state, 0xf0);
    const afterLeadAllowed = new Set(expandAllowed(grammar.masks.allowed(afterLead), vocabulary).ids);
    expect(afterLeadAllowed.has(byteToken(0x9f))).toBe(true);
    expect(afterLeadAllowed.has(byteToken(0x41))).toBe(false);
  });
});

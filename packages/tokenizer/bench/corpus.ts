import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Deterministic PRNG (mulberry32) so every run builds the same corpus. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A mixed corpus of at least `minBytes` UTF-8 bytes, as documents of 2-16 KB: the parity fixture texts
 * (English, code, CJK, Arabic, Hindi, Thai, Russian, emoji, rare Unicode, whitespace runs, special tokens)
 * shuffled and recombined with a fixed seed. Nothing is downloaded and the 5+ MB is never committed.
 */
export function buildCorpus(minBytes: number): string[] {
  const { cases } = JSON.parse(readFileSync(join(fixtures, 'encode.json'), 'utf8')) as {
    cases: { text: string }[];
  };
  const pieces = cases.map((c) => c.text).filter((t) => t.length > 0);
  const sentences = pieces.flatMap((t) => t.split(/(?<=[.!?。\n])/u)).filter((s) => s.length > 0);
  const next = random(20260101);
  const docs: string[] = [];
  let total = 0;
  while (total < minBytes) {
    const target = 2_000 + Math.floor(next() * 14_000);
    let doc = '';
    while (Buffer.byteLength(doc) < target) {
      const r = next();
      const piece =
        r < 0.1
          ? pieces[Math.floor(next() * pieces.length)]!
          : sentences[Math.floor(next() * sentences.length)]!;
      doc += piece + (next() < 0.3 ? '\n' : ' ');
    }
    docs.push(doc);
    total += Buffer.byteLength(doc);
  }
  return docs;
}

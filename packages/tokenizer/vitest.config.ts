import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@gemma3/source'] },
  ssr: { resolve: { conditions: ['@gemma3/source'] } },
  // The real 33 MB tokenizer.json takes a second or more to load on 2 shared cores: files share one
  // worker module graph (isolate: false) so loadGemmaTokenizer() loads it once for all of them.
  test: {
    name: 'tokenizer',
    include: ['src/**/*.test.ts'],
    isolate: false,
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@gemma3/source'] },
  ssr: { resolve: { conditions: ['@gemma3/source'] } },
  // Each test file loads the real 33 MB tokenizer.json once; on 2 shared cores that can take seconds.
  test: { name: 'tokenizer', include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@gemma3/source'] },
  ssr: { resolve: { conditions: ['@gemma3/source'] } },
  test: { name: 'transformers-js', include: ['src/**/*.test.ts'] },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@gemma3/source'] },
  ssr: { resolve: { conditions: ['@gemma3/source'] } },
  test: { name: 'test-utils', include: ['src/**/*.test.ts'] },
});

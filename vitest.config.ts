import { defineConfig } from 'vitest/config';

// One vitest project per package (each has its own vitest.config.ts); this file only lists them.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', './tools/plain-summary-reporter.ts'],
  },
});

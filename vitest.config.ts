import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests drive a real Docker engine; two workers match this machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/**/*.slow.test.ts', 'node_modules/**'],
    reporters: ['default', './tests/closingLineReporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // chDB allows one data dir per process: integration files must not share a worker.
    pool: 'forks',
    poolOptions: { forks: { singleFork: false, maxForks: 2, minForks: 1 } },
    fileParallelism: true,
  },
});

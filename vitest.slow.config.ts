import { defineConfig } from 'vitest/config';

/** Long fault and soak tests: `npm run test:slow` (the full fault table is `npm run faults`). */
export default defineConfig({
  test: {
    include: ['tests/**/*.slow.test.ts'],
    reporters: ['default', './tests/closingLineReporter.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});

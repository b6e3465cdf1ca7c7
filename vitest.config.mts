import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's component tests (test/renderer) are .tsx with React's automatic runtime.
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: keep the heavy suites from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
    setupFiles: ['test/setup.ts'],
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@berth/core/testing': src('./packages/core/src/testing.ts'),
      '@berth/core': src('./packages/core/src/index.ts'),
      '@berth/engine': src('./packages/engine/src/index.ts'),
      '@berth/target-kubernetes': src('./packages/target-kubernetes/src/index.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Docker suites share one engine and 2 cores: run files one at a time there, keep pure tests parallel.
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

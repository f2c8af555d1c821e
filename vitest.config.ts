import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    // expect.poll's 1 s default is short for what spawns processes or drives Chromium on 2 busy cores.
    expect: { poll: { timeout: 5000 } },
    // Interop suites spawn peers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});

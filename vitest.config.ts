import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run (FACTS.md: ~6 s to start, ~310 MB): tests share it.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
    // expect.poll gives up after 1 s by default: a browser page or a local stack on a loaded 2-core
    // machine can take longer to show what the test waits for (it returns as soon as it holds).
    expect: { poll: { timeout: 15_000 } },
  },
});

import { defineConfig } from 'vitest/config';

// Integration tests change kernel state inside labs and the leak check compares the root
// namespace before and after each file, so test files run one at a time.
export default defineConfig({
  test: {
    fileParallelism: false,
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Leak check (test/lab/leak-check.ts): per test file, and once for the whole run.
    setupFiles: ['test/setup/leak-check.setup.ts'],
    globalSetup: ['test/setup/leak-check.global.ts'],
  },
});

import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end files start git servers and git processes; two cores are shared between them.
    maxWorkers: 2,
    minWorkers: 1
  }
})

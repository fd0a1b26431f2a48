// One vitest configuration for every package: each package's vitest.config.ts re-exports it.
// The JSON report, inside the project so that nx caches and restores it with the project's
// test results, lets tools/test/run.ts print one closing summary for the whole workspace.
import { resolve } from "node:path"
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: resolve(process.cwd(), ".test-results", "vitest.json") },
  },
})

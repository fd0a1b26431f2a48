// One vitest configuration for every package: each package's vitest.config.ts re-exports it.
// The JSON report lets tools/test/run.ts print one closing summary for the whole workspace.
import { basename, resolve } from "node:path"
import { defineConfig } from "vitest/config"

const workspaceRoot = import.meta.dirname
const project = basename(process.cwd())

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: resolve(workspaceRoot, ".test-results", `${project}.json`) },
  },
})

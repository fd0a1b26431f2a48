// `npm test`: typechecks the workspace, runs every project's vitest suite through nx, then
// prints one closing line for the whole workspace ("Tests: N passed, N failed, N skipped"),
// read from the JSON reports that vitest.shared.ts asks each project to write.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"

const root = join(import.meta.dirname, "..", "..")
// Like `npm start`, the tests use the shared data and models beside the repository when the
// variables are unset and that folder exists; otherwise the tests that need them skip and say why.
for (const [variable, folder] of [["PEFTLAB_DATA", "data"], ["PEFTLAB_MODELS", "models"]] as const) {
  const shared = join(root, "..", "shared", folder)
  if (!process.env[variable] && existsSync(shared)) process.env[variable] = shared
}
const reports = join(root, ".test-results")
rmSync(reports, { recursive: true, force: true })

const typecheck = spawnSync("tsc", ["-p", "tsconfig.json"], { cwd: root, stdio: "inherit" })
console.log(typecheck.status === 0 ? "typecheck: ok" : "typecheck: FAILED")

const nx = spawnSync(
  "nx",
  ["run-many", "-t", "test", "--parallel=1", "--outputStyle=stream", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit", env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" } },
)

interface VitestReport {
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly numPendingTests: number
  readonly numTodoTests: number
}

const files = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith(".json")) : []
const total = { passed: 0, failed: 0, skipped: 0 }
for (const file of files) {
  const report = JSON.parse(readFileSync(join(reports, file), "utf8")) as VitestReport
  total.passed += report.numPassedTests
  total.failed += report.numFailedTests
  total.skipped += report.numPendingTests + report.numTodoTests
}
const status = typecheck.status !== 0 ? 1 : (nx.status ?? 1)
console.log(`\n${files.length} projects tested`)
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
process.exit(status !== 0 ? status : total.failed > 0 ? 1 : 0)

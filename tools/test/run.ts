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
// Each project's vitest writes <project>/.test-results/vitest.json (see vitest.shared.ts); nx
// restores it from its cache when it skips a project, so every project is counted.
const projects = ["packages", "plugins"].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
const reports = [...projects, join(root, "test")].map((dir) => join(dir, ".test-results", "vitest.json"))
for (const report of reports) rmSync(report, { force: true })

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

const files = reports.filter((report) => existsSync(report))
const total = { passed: 0, failed: 0, skipped: 0 }
for (const file of files) {
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestReport
  total.passed += report.numPassedTests
  total.failed += report.numFailedTests
  total.skipped += report.numPendingTests + report.numTodoTests
}
const status = typecheck.status !== 0 ? 1 : (nx.status ?? 1)
console.log(`\n${files.length} projects tested`)
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
process.exit(status !== 0 ? status : total.failed > 0 ? 1 : 0)

// `run --queue` and `worker`'s typed refusals, before any job is queued or arm run: a --queue that
// is no Redis URL names the flag, the spec's execution.queue names its field, a flag and a field
// that differ name both, and a Redis that does not answer names its URL; each exits 2.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../src/main.ts"
import { captureIo } from "./io.ts"
import { fromRepoRoot, quickstart } from "./repo-root.ts"

// Port 1 on the loopback: nothing listens there, so a connection is refused at once.
const nobody = "redis://127.0.0.1:1"


/** The quickstart spec with `execution.queue` set (its relative paths resolve against the repository root, where the tests run it). */
const withQueueField = (queue: string) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-queue-"))
  const file = join(dir, "spec.yaml")
  writeFileSync(file, `${readFileSync(quickstart, "utf8")}\nexecution:\n  queue: ${queue}\n`)
  return { dir, file }
}

describe("peftlab run --queue", () => {
  it("refuses a --queue that is no Redis URL, naming the flag", async () => {
    const { io, err } = captureIo()
    expect(await fromRepoRoot(() => main(["run", quickstart, "--dry-run", "--queue", "http://127.0.0.1:6379"], io))).toBe(2)
    expect(err.join("\n")).toBe('error: --queue: "http://127.0.0.1:6379" is a http URL; expected redis://HOST:PORT[/DB] (or rediss:// for TLS)')
  })

  it("refuses an execution.queue that is no Redis URL, naming the field and file", async () => {
    const { file } = withQueueField("redis://127.0.0.1:6379/zero")
    const { io, err } = captureIo()
    expect(await fromRepoRoot(() => main(["run", file, "--dry-run"], io))).toBe(2)
    expect(err.join("\n")).toContain(`error: execution.queue in ${file}: "/zero" is not a database number`)
  })

  it("refuses a --queue that differs from the spec's execution.queue, naming both", async () => {
    const { file } = withQueueField("redis://127.0.0.1:6379")
    const { io, err } = captureIo()
    expect(await fromRepoRoot(() => main(["run", file, "--dry-run", "--queue", "redis://127.0.0.1:6380"], io))).toBe(2)
    expect(err.join("\n")).toContain(`error: --queue: "redis://127.0.0.1:6380" differs from execution.queue in ${file} ("redis://127.0.0.1:6379")`)
  })

  it("plans the queue the spec names, and the same URL as the flag is accepted", async () => {
    const { file } = withQueueField("redis://127.0.0.1:6379/2")
    const { io, out } = captureIo()
    expect(await fromRepoRoot(() => main(["run", file, "--dry-run", "--queue", "redis://127.0.0.1:6379/2"], io))).toBe(0)
    expect(out.join("\n")).toContain("queue  redis://127.0.0.1:6379/2: one job per arm")
  })

  it("refuses a Redis that does not answer, naming its URL, before the run writes anything", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "peftlab-queue-")), "results")
    const { io, err } = captureIo()
    expect(await fromRepoRoot(() => main(["run", quickstart, "--out", out, "--no-tui", "--queue", nobody], io))).toBe(2)
    expect(err.join("\n")).toMatch(/^error: redis:\/\/127\.0\.0\.1:1: Redis does not answer \(.*\); start redis-server there, or pass another --queue$/)
    expect(existsSync(out)).toBe(false)
  })
})

describe("peftlab worker", () => {
  it("needs --queue, a Redis URL, one that answers, and a positive --concurrency", async () => {
    const cases: Array<[ReadonlyArray<string>, RegExp]> = [
      [["worker"], /^error: worker needs --queue redis:\/\/HOST:PORT\[\/DB\]/],
      [["worker", "--queue", "localhost:6379"], /^error: --queue: "localhost:6379" is a localhost URL; expected redis:\/\//],
      [["worker", "--queue", nobody, "--concurrency", "0"], /^error: --concurrency: expected a positive integer, got "0"/],
      [["worker", "--queue", nobody, "--out", "x"], /^error: --out belongs to run, not worker/],
      [["worker", "--queue", nobody], /^error: redis:\/\/127\.0\.0\.1:1: Redis does not answer/],
    ]
    for (const [args, expected] of cases) {
      const { io, err } = captureIo()
      expect(await main(args, io), args.join(" ")).toBe(2)
      expect(err.join("\n"), args.join(" ")).toMatch(expected)
    }
  })
})

// Inputs cut to fit training.max_length, said everywhere a run reports (issue 15): the plain
// lines, manifest.json (the same on a rerun that reuses the finished arm) and report.md; and
// training.truncation: error refusing the run with exit 2 before any arm trains.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant } from "./cli.ts"

// PubMedQA's abstracts take several hundred of stories260k's tokens: many prompts are cut to 192.
const limits = ["data.limit.train=8", "data.limit.val=6", "data.limit.test=10", "training.max_length=192"].flatMap((value) => ["--set", value])

describe("truncation counts", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.arms = spec.arms.filter((arm: { name: string }) => arm.name === "base")
    spec.stats.bootstrap.B = 100
  })

  it("shows the count on the plain lines, in manifest.json and report.md, and keeps it on a rerun", () => {
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...limits])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    const { truncation } = manifest
    expect(truncation).toMatchObject({ max_length: 192, policy: "cut", unit: "examples" })
    expect(truncation.splits.train.total).toBe(8)
    expect(truncation.splits.val.total).toBe(6)
    expect(truncation.splits.test.total).toBe(10)
    expect(truncation.splits.test.cut).toBeGreaterThan(0)
    expect(truncation.arms).toBeUndefined()
    const { train, val, test } = truncation.splits
    const sentence =
      `train ${train.cut} of 8, val ${val.cut} of 6, test ${test.cut} of 10 examples cut to fit training.max_length 192 (first: ${train.cut > 0 ? `train ${train.example}` : val.cut > 0 ? `val ${val.example}` : `test ${test.example}`})`
    expect(run.stdout).toContain(`warning: truncation: ${sentence}\n`)
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain(`\nTruncation: ${sentence}.\n`)

    // A rerun reuses the finished arm and writes the same counts.
    const rerun = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...limits])
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toContain("[base] done: resumed from the output folder")
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).truncation).toStrictEqual(truncation)
    // `peftlab report` rebuilds report.md with the line, from the manifest.
    expect(peftlab(["report", out]).code).toBe(0)
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain(`\nTruncation: ${sentence}.\n`)
  })

  it("refuses the run with exit 2 under training.truncation: error, before any arm trains", () => {
    const out = join(dir, "refused")
    const run = peftlab(["run", file, "--out", out, "--no-tui", "--backend", "wasm", ...limits, "--set", "training.truncation=error"])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/training\.truncation: \d of 8 train examples \(e\.g\. example \S+\) are longer than training\.max_length 192 and would be cut/)
    expect(existsSync(join(out, "arms"))).toBe(false)
  })
})

// `peftlab run --json`: every run event as one JSON object per line on stdout, for programs
// that follow a run, checked against the results folder the same run wrote.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peftlab, quickstartVariant } from "./cli.ts"

describe("peftlab run --json", () => {
  it("prints each event as a line of JSON, agreeing with the results folder", () => {
    const { file, dir } = quickstartVariant((spec) => {
      spec.data.limit = { train: 16, val: 6, test: 6 }
      spec.training.epochs = 1
      spec.stats.bootstrap.B = 100
      spec.arms = spec.arms.filter((arm: { name: string }) => arm.name === "base" || arm.name === "prompt")
    })
    const out = join(dir, "results")
    const run = peftlab(["run", file, "--out", out, "--json", "--backend", "wasm"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(events[0]).toMatchObject({ type: "run-start", arms: ["base", "prompt"], outDir: out })
    // The device the backend reported, in the first event and in the manifest.
    expect(events[0].device).toMatch(/, 1 thread \(WebAssembly SIMD, XNNPACK\)$/)
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).device).toEqual({ kind: "cpu", description: events[0].device, threads: 1 })
    expect(events.at(-1)).toMatchObject({ type: "run-end", ok: true, outDir: out })

    // Unthrottled: one train-step per step the trainer logged (16 examples / batch 8).
    const log = readFileSync(join(out, "train_log.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))
    const steps = events.filter((e) => e.type === "train-step")
    expect(steps.map((e) => e.loss)).toEqual(log.filter((l) => l.type === "step").map((l) => l.loss))
    expect(steps).toHaveLength(2)

    for (const arm of ["base", "prompt"]) {
      const result = JSON.parse(readFileSync(join(out, "arms", arm, "result.json"), "utf8")).result
      const reported = events.find((e) => e.type === "arm-result" && e.arm === arm)
      expect(reported.metrics.accuracy).toBe(result.accuracy)
    }

    // The model's load from disk, from nothing to every stored byte it uses (stories260k: 260,032 float32 values).
    const loads = events.filter((e) => e.type === "model-load")
    expect(loads[0]).toMatchObject({ bytes: 0, total: 260_032 * 4, done: false })
    expect(loads.at(-1)).toMatchObject({ bytes: 260_032 * 4, total: 260_032 * 4, done: true })
    expect(loads.every((e, i) => i === 0 || e.bytes > loads[i - 1].bytes)).toBe(true)

    // Memory is sampled every 2 s and after each arm's result (so at least twice), while the model's weights are tensors.
    const samples = events.filter((e) => e.type === "resources")
    expect(samples.length).toBeGreaterThanOrEqual(2)
    for (const arm of ["base", "prompt"]) {
      const result = events.findIndex((e) => e.type === "arm-result" && e.arm === arm)
      expect(events[result + 1].type).toBe("resources")
    }
    for (const sample of samples) {
      expect(sample.tensorBytes).toBeGreaterThan(0)
      expect(sample.rssBytes).toBeGreaterThan(sample.tensorBytes)
    }
  })
})

import type { RunEvent } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { initialState, lossPoints, maxLogs, reduce, type UiState } from "../src/index.ts"
import { downloading, fullRun, midTraining, runStart } from "./run-events.ts"

const fold = (events: ReadonlyArray<RunEvent>, from: UiState = initialState): UiState => events.reduce(reduce, from)

const arm = (state: UiState, name: string) => {
  const found = state.arms.find((a) => a.name === name)
  if (found === undefined) throw new Error(`no arm ${name}`)
  return found
}

describe("reduce", () => {
  it("starts a run with every arm queued", () => {
    expect(reduce(initialState, runStart)).toEqual({
      name: "pubmedqa-peft",
      backend: "cpu",
      outDir: "out/run1",
      arms: [
        { name: "base", phase: "queued" },
        { name: "prompt", phase: "queued" },
      ],
      logs: [],
    })
  })

  it("tracks training in the middle of the second epoch", () => {
    const state = fold(midTraining)
    const prompt = arm(state, "prompt")
    expect(prompt.phase).toBe("training")
    expect(prompt.step).toMatchObject({ epoch: 2, step: 50, loss: 0.6401, tokensPerSecond: 411.6 })
    expect(prompt.etaMs).toBeCloseTo(7200, 6)
    expect(lossPoints(prompt.losses!)).toEqual([0.7102, 0.6931, 0.6512, 0.6401])
    expect(prompt.validation).toEqual({ metric: "macro_f1", value: 0.5811, best: true })
    expect(arm(state, "base")).toEqual({
      name: "base",
      phase: "done",
      evaluation: { split: "test", done: 200, total: 200 },
      metrics: { accuracy: 0.55, macro_f1: 0.41 },
    })
    expect(state.logs).toEqual([{ level: "warn", message: "3 contexts truncated to 256 tokens" }])
    expect(state.resources).toEqual({ rssBytes: 512 * 2 ** 20, tensorBytes: 3.5 * 2 ** 20 })
    expect(state.finished).toBeUndefined()
  })

  it("ends with every arm's metrics, the latest validation and the run outcome", () => {
    const state = fold(fullRun)
    const prompt = arm(state, "prompt")
    expect(prompt.phase).toBe("done")
    expect(prompt.metrics).toEqual({ accuracy: 0.635, macro_f1: 0.5914 })
    // The latest validation is shown even when an earlier epoch stays best.
    expect(prompt.validation).toEqual({ metric: "macro_f1", value: 0.5702, best: false })
    expect(prompt.evaluation).toEqual({ split: "test", done: 50, total: 200 })
    expect(prompt.etaMs).toBe(0)
    expect(state.finished).toEqual({ ok: true, elapsedMs: 65_000 })
    expect(state.arms.map((a) => a.name)).toEqual(["base", "prompt"])
  })

  it("keeps only the latest memory sample", () => {
    const state = fold([runStart, { type: "resources", rssBytes: 100, tensorBytes: 10 }, { type: "resources", rssBytes: 200, tensorBytes: 20 }])
    expect(state.resources).toEqual({ rssBytes: 200, tensorBytes: 20 })
  })

  it("keeps the detail of a phase only while that phase lasts", () => {
    const failed = fold([runStart, { type: "arm-phase", arm: "prompt", phase: "failed", detail: "loss is NaN" }])
    expect(arm(failed, "prompt")).toEqual({ name: "prompt", phase: "failed", detail: "loss is NaN" })
    expect(arm(reduce(failed, { type: "arm-phase", arm: "prompt", phase: "training" }), "prompt").detail).toBeUndefined()
  })

  it("shows the model loading from disk as a transfer, and nothing once it is loaded", () => {
    const load = (bytes: number, done = false): RunEvent => ({ type: "model-load", file: "/models/m", bytes, total: 100, done })
    expect(fold([runStart, load(0), load(40)]).download).toEqual({ file: "/models/m", bytes: 40, total: 100, action: "loading" })
    expect(fold([runStart, load(0), load(100, true)]).download).toBeUndefined()
  })

  it("shows the file downloading now, and no file once it is done", () => {
    const MiB = 2 ** 20
    expect(fold(downloading.slice(0, 2)).download).toEqual({ file: "config.json", bytes: 0, total: 628 })
    expect(fold(downloading.slice(0, 3)).download).toBeUndefined()
    const state = fold(downloading)
    expect(state.download).toEqual({ file: "model.safetensors", bytes: 118 * MiB, total: 262 * MiB })
    expect(state.arms.map((a) => a.phase)).toEqual(["queued", "queued"])
    const done = reduce(state, { type: "download", file: "model.safetensors", bytes: 262 * MiB, total: 262 * MiB, done: true })
    expect(done.download).toBeUndefined()
    expect(done.arms).toBe(state.arms)
  })

  it("keeps only the last few log messages, oldest first", () => {
    const logs: ReadonlyArray<RunEvent> = Array.from({ length: maxLogs + 2 }, (_, i) => ({ type: "log", level: "info", message: `m${i}` }))
    expect(fold([runStart, ...logs]).logs.map((l) => l.message)).toEqual(Array.from({ length: maxLogs }, (_, i) => `m${i + 2}`))
  })

  it("appends an arm that run-start did not announce instead of dropping its events", () => {
    const state = fold([runStart, { type: "arm-result", arm: "lora", metrics: { accuracy: 0.7 } }])
    expect(state.arms.map((a) => [a.name, a.phase])).toEqual([
      ["base", "queued"],
      ["prompt", "queued"],
      ["lora", "queued"],
    ])
    expect(arm(state, "lora").metrics).toEqual({ accuracy: 0.7 })
  })

  it("records a failed run and its output folder", () => {
    const state = fold([runStart, { type: "run-end", ok: false, outDir: "out/run1-partial", elapsedMs: 1000 }])
    expect(state.finished).toEqual({ ok: false, elapsedMs: 1000 })
    expect(state.outDir).toBe("out/run1-partial")
  })

  it("forgets the previous run on a new run-start", () => {
    const second = reduce(fold(fullRun), { ...runStart, name: "again", arms: ["lora"] })
    expect(second).toEqual({ name: "again", backend: "cpu", outDir: "out/run1", arms: [{ name: "lora", phase: "queued" }], logs: [] })
  })

  it("never changes the state it is given", () => {
    let state = initialState
    for (const event of [...downloading, ...fullRun]) {
      const before = structuredClone(state)
      const next = reduce(state, event)
      expect(state).toEqual(before)
      expect(next).not.toBe(state)
      state = next
    }
  })
})

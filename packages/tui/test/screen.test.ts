import type { RunEvent } from "@peftlab/core"
import { cleanup, render } from "ink-testing-library"
import { stripVTControlCharacters } from "node:util"
import { createElement } from "react"
import { afterEach, describe, expect, it } from "vitest"
import { initialState, reduce, Screen, type UiState } from "../src/index.ts"
import { fullRun, midTraining, runStart } from "./run-events.ts"

afterEach(cleanup)

const frameOf = (state: UiState, elapsedMs = 0): string => {
  const { lastFrame } = render(createElement(Screen, { state, elapsedMs }))
  return stripVTControlCharacters(lastFrame() ?? "")
}

const fold = (events: ReadonlyArray<RunEvent>): UiState => events.reduce(reduce, initialState)

/** The frame's line that starts with the arm's name, and the line after it. */
const rowOf = (frame: string, arm: string): readonly [string, string] => {
  const lines = frame.split("\n")
  const i = lines.findIndex((line) => line.startsWith(`${arm} `))
  expect(i, `row of ${arm} in\n${frame}`).toBeGreaterThanOrEqual(0)
  return [lines[i] ?? "", lines[i + 1] ?? ""]
}

describe("Screen", () => {
  it("waits for run-start", () => {
    expect(frameOf(initialState)).toContain("waiting for the run to start")
  })

  it("shows the header and every arm queued", () => {
    const frame = frameOf(reduce(initialState, runStart), 65_000)
    expect(frame).toContain("pubmedqa-peft")
    expect(frame).toContain("backend cpu")
    expect(frame).toContain("output out/run1")
    expect(frame).toContain("elapsed 1:05")
    expect(rowOf(frame, "base")[0]).toMatch(/^base\s+queued\s*$/)
    expect(rowOf(frame, "prompt")[0]).toMatch(/^prompt\s+queued\s*$/)
  })

  it("shows a training arm's progress bar, loss, validation, speed and ETA", () => {
    const frame = frameOf(fold(midTraining))
    const [progress, details] = rowOf(frame, "prompt")
    // 50 of 80 steps: 12.5 of 20 cells round to 13, 62%.
    expect(progress).toMatch(new RegExp(`^prompt\\s+training\\s+${"█".repeat(13)}${"░".repeat(7)}  62%  epoch 2/2 step 50/80\\s*$`))
    expect(details).toMatch(/^\s+loss 0\.6401 {2}val macro_f1 0\.5811 \(best\) {2}412 tok\/s {2}eta 0:07\s*$/)
    expect(frame).toContain("warning: 3 contexts truncated to 256 tokens")
  })

  it("shows evaluation progress, keeping the last loss but not speed and ETA", () => {
    const evaluating = fold([...midTraining, { type: "arm-phase", arm: "prompt", phase: "evaluating" }, { type: "eval-progress", arm: "prompt", split: "test", done: 50, total: 200 }])
    const [progress, details] = rowOf(frameOf(evaluating), "prompt")
    expect(progress).toMatch(new RegExp(`^prompt\\s+evaluating\\s+${"█".repeat(5)}${"░".repeat(15)}  25%  eval test 50/200\\s*$`))
    expect(details).toContain("loss 0.6401")
    expect(details).not.toContain("tok/s")
    expect(details).not.toContain("eta")
    // An arm that only evaluated keeps its finished evaluation in view.
    const [baseRow] = rowOf(frameOf(evaluating), "base")
    expect(baseRow).toMatch(new RegExp(`^base\\s+done\\s+${"█".repeat(20)} 100%  eval test 200/200\\s*$`))
  })

  it("shows why an arm failed", () => {
    const frame = frameOf(fold([runStart, { type: "arm-phase", arm: "prompt", phase: "failed", detail: "loss is NaN" }]))
    const [progress, details] = rowOf(frame, "prompt")
    expect(progress).toMatch(/^prompt\s+failed\s*$/)
    expect(details.trim()).toBe("loss is NaN")
  })

  it("ends with a summary of every arm's metrics", () => {
    const frame = frameOf(fold(fullRun), 99_000)
    expect(frame).toContain("elapsed 1:05") // the run's own elapsed time once it ended
    expect(frame).toContain("finished, results in out/run1")
    const summary = frame.slice(frame.indexOf("finished"))
    expect(summary).toMatch(/arm\s+accuracy\s+macro_f1/)
    expect(summary).toMatch(/base\s+0\.5500\s+0\.4100/)
    expect(summary).toMatch(/prompt\s+0\.6350\s+0\.5914/)
  })

  it("lists arms without metrics by their state in a failed run's summary", () => {
    const frame = frameOf(fold([...midTraining, { type: "arm-phase", arm: "prompt", phase: "failed", detail: "out of memory" }, { type: "run-end", ok: false, outDir: "out/run1", elapsedMs: 20_000 }]))
    const summary = frame.slice(frame.indexOf("failed, partial results in out/run1"))
    expect(summary).toMatch(/base\s+0\.5500\s+0\.4100/)
    expect(summary).toMatch(/prompt\s+failed/)
  })
})

import type { RunEvent } from "@peftlab/core"
import { cleanup, render } from "ink-testing-library"
import { stripVTControlCharacters } from "node:util"
import { createElement } from "react"
import { afterEach, describe, expect, it } from "vitest"
import { initialState, reduce, Screen, type UiState } from "../src/index.ts"
import { downloading, fullRun, midTraining, runStart } from "./run-events.ts"

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

  it("shows the header and the arms table with every arm queued", () => {
    const frame = frameOf(reduce(initialState, runStart), 65_000)
    expect(frame).toMatch(/^pubmedqa-peft {2}backend cpu {2}elapsed 1:05\s*$/m)
    expect(frame).toContain("output out/run1")
    expect(frame).not.toContain("memory") // no sample yet
    expect(frame).toMatch(/^arm\s+state\s+progress\s*$/m)
    expect(rowOf(frame, "base")[0]).toMatch(/^base\s+queued\s*$/)
    expect(rowOf(frame, "prompt")[0]).toMatch(/^prompt\s+queued\s*$/)
  })

  it("names the backend's device under the header, and a GPU backend's buffers beside its memory", () => {
    const frame = frameOf(
      fold([
        { ...runStart, backend: "webgpu", device: "llvmpipe (mesa, software)" },
        { type: "resources", rssBytes: 512 * 2 ** 20, tensorBytes: 3.5 * 2 ** 20, deviceBytes: 8 * 2 ** 20 },
      ]),
    )
    expect(frame).toMatch(/backend webgpu {2}memory 512 MiB rss, 3\.5 MiB tensors, 8\.0 MiB GPU buffers {2}elapsed/)
    expect(frame).toMatch(/^device llvmpipe \(mesa, software\)\s*\noutput out\/run1/m)
  })

  it("shows the file downloading under the header, with a bar, the percent and the bytes", () => {
    const lines = frameOf(fold(downloading)).split("\n")
    const below = lines[lines.findIndex((line) => line.startsWith("output out/run1")) + 1]
    // 118 of 262 MiB is 45 %: 9 of 20 cells.
    expect(below).toMatch(new RegExp(`^downloading model\\.safetensors {2}${"█".repeat(9)}${"░".repeat(11)} {2}45% 118/262 MiB\\s*$`))
  })

  it("shows only the bytes of a file of unknown size, and no line once the download is done", () => {
    const unknownSize = fold([runStart, { type: "download", file: "notes.csv", bytes: 5 * 2 ** 20, done: false }])
    expect(frameOf(unknownSize)).toMatch(/^downloading notes\.csv {2}5\.0 MiB\s*$/m)
    const done = fold([...downloading, { type: "download", file: "model.safetensors", bytes: 262 * 2 ** 20, total: 262 * 2 ** 20, done: true }])
    expect(frameOf(done)).not.toContain("download")
  })

  it("shows the latest memory sample in the header", () => {
    expect(frameOf(fold(midTraining))).toMatch(/backend cpu {2}memory 512 MiB rss, 3\.5 MiB tensors {2}elapsed/)
  })

  it("shows a training arm's epoch and step bars, loss sparkline, validation, speed and ETA", () => {
    const frame = frameOf(fold(midTraining))
    const [progress, details] = rowOf(frame, "prompt")
    // Step 50 of 80 is step 10 of epoch 2's 40. Epoch bar: 50/80 of 10 cells is 6.25, so 6;
    // step bar: 10/40 of 16 cells is 4.
    expect(progress).toMatch(new RegExp(`^prompt\\s+training\\s+epoch 2/2 ${"█".repeat(6)}${"░".repeat(4)}  step 10/40 ${"█".repeat(4)}${"░".repeat(12)}  eta 0:07\\s*$`))
    // Losses 0.7102, 0.6931, 0.6512, 0.6401 over [0.6401, 0.7102]: levels 7, 5.29, 1.11, 0 of 7.
    expect(details).toMatch(/^\s+loss █▆▂▁ 0\.6401 {2}val macro_f1 0\.5811 \(best\) {2}412 tok\/s\s*$/)
    expect(frame).toContain("warning: 3 contexts truncated to 256 tokens")
  })

  it("shows evaluation progress, keeping the loss but not speed and ETA", () => {
    const evaluating = fold([...midTraining, { type: "arm-phase", arm: "prompt", phase: "evaluating" }, { type: "eval-progress", arm: "prompt", split: "test", done: 50, total: 200 }])
    const [progress, details] = rowOf(frameOf(evaluating), "prompt")
    // 50 of 200 examples: 4 of 16 cells.
    expect(progress).toMatch(new RegExp(`^prompt\\s+evaluating\\s+eval test 50/200 ${"█".repeat(4)}${"░".repeat(12)}\\s*$`))
    expect(details).toContain("loss █▆▂▁ 0.6401")
    expect(details).not.toContain("tok/s")
    // An arm that only evaluated keeps its finished evaluation in view.
    const [baseRow, baseDetails] = rowOf(frameOf(evaluating), "base")
    expect(baseRow).toMatch(new RegExp(`^base\\s+done\\s+eval test 200/200 ${"█".repeat(16)}\\s*$`))
    expect(baseDetails).not.toContain("loss")
  })

  it("shows a trained arm's full bars once done, without ETA", () => {
    const frame = frameOf(fold(fullRun))
    const [progress, details] = rowOf(frame, "prompt")
    expect(progress).toMatch(new RegExp(`^prompt\\s+done\\s+epoch 2/2 ${"█".repeat(10)}  step 40/40 ${"█".repeat(16)}\\s*$`))
    // The latest validation, not the best one.
    expect(details).toMatch(/ 0\.6203 {2}val macro_f1 0\.5702\s*$/)
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

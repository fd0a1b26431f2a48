// The truncation event on every output of a run: the Ink screen (a header line that stays),
// the plain lines (a warning when anything was cut) and the JSON lines (the counts as they are).
import { emit, type Events, type RunEvent } from "@peftlab/core"
import { cleanup, render } from "ink-testing-library"
import { stripVTControlCharacters } from "node:util"
import { createElement } from "react"
import { Effect, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { initialState, jsonLinesLayer, plainLinesLayer, reduce, Screen } from "../src/index.ts"
import { runStart } from "./run-events.ts"

afterEach(cleanup)

const none = { train: { cut: 0, total: 100 }, val: { cut: 0, total: 20 }, test: { cut: 0, total: 60 } }
const someCut: RunEvent = { type: "truncation", max_length: 256, policy: "cut", unit: "examples", splits: { ...none, test: { cut: 16, total: 60, example: "12345" } } }
const noneCut: RunEvent = { type: "truncation", max_length: 256, policy: "cut", unit: "examples", splits: none }

const linesOf = (layer: (write: (line: string) => void) => Layer.Layer<Events>, event: RunEvent) => {
  const lines: Array<string> = []
  Effect.runSync(emit(event).pipe(Effect.provide(layer((line) => lines.push(line)))))
  return lines
}

describe("the truncation event", () => {
  it("prints as a warning line when anything was cut, and as a plain line when nothing was", () => {
    expect(linesOf(plainLinesLayer, someCut)).toEqual(["warning: truncation: train 0 of 100, val 0 of 20, test 16 of 60 examples cut to fit training.max_length 256 (first: test 12345)"])
    expect(linesOf(plainLinesLayer, noneCut)).toEqual(["truncation: train 0 of 100, val 0 of 20, test 0 of 60 examples cut to fit training.max_length 256"])
  })

  it("names the arms whose inputs differ", () => {
    const perArm: RunEvent = { ...noneCut, unit: "sentences", arms: { names: { ...none, val: { cut: 2, total: 20, example: "s7" } } } }
    expect(linesOf(plainLinesLayer, perArm)).toEqual([
      "warning: truncation: train 0 of 100, val 0 of 20, test 0 of 60 sentences cut to fit training.max_length 256; arm names: train 0 of 100, val 2 of 20, test 0 of 60 (first: val s7)",
    ])
  })

  it("is one JSON line with the counts", () => {
    expect(linesOf(jsonLinesLayer, someCut).map((line) => JSON.parse(line))).toEqual([someCut])
  })

  it("stays on the screen under the header", () => {
    const state = [runStart, someCut, { type: "log", level: "info", message: "a" } as RunEvent].reduce(reduce, initialState)
    const frame = stripVTControlCharacters(render(createElement(Screen, { state, elapsedMs: 0 })).lastFrame() ?? "")
    // Wrapped to the terminal's width; the words run on.
    expect(frame.replace(/\s+/g, " ")).toContain("output out/run1 truncation: train 0 of 100, val 0 of 20, test 16 of 60 examples cut to fit training.max_length 256 (first: test 12345)")
  })
})

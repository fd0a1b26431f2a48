import { describe, expect, it } from "vitest"
import { compareRunsMarkdown, type ArmResult } from "../src/index.ts"

const arm = (name: string, macroF1: number, accuracy: number, latencyMeanMs: number): ArmResult => ({
  arm: name, kind: "lora", n: 10, accuracy, macroF1, perClassF1: {}, latencyMeanMs, latencyP95Ms: 1, trainableParams: 8,
})

describe("compareRunsMarkdown", () => {
  it("lists every arm of every run, each metric's best in bold, and a dash where a run has no such metric", () => {
    const table = compareRunsMarkdown([
      { run: "a", experiment: "quickstart", results: [arm("base", 0.3, 0.5, 10), arm("lora", 0.6, 0.55, 12)] },
      // A generation study's arm: no macro-F1 or accuracy (null once read back from result.json).
      { run: "b", experiment: "medquad", results: [{ ...arm("lora", Number.NaN, Number.NaN, 9), macroF1: null as unknown as number }] },
    ]).split("\n")
    expect(table[2]).toBe("| a | quickstart | base | 10 | 0.3000 | 0.5000 | 10.00 | 8 |")
    expect(table[3]).toBe("| a | quickstart | lora | 10 | **0.6000** | **0.5500** | 12.00 | 8 |")
    expect(table[4]).toBe("| b | medquad | lora | 10 | — | — | **9.00** | 8 |")
  })
})

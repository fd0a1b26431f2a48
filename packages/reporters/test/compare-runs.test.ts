import { describe, expect, it } from "vitest"
import { compareRunsMarkdown, type ArmResult } from "../src/index.ts"

const arm = (name: string, macroF1: number, accuracy: number, latencyMeanMs: number): ArmResult => ({
  arm: name, kind: "lora", n: 10, accuracy, macroF1, perClassF1: {}, latencyMeanMs, latencyP95Ms: 1, trainableParams: 8,
})

describe("compareRunsMarkdown", () => {
  it("lists every arm of every run, each metric's best in bold, and a dash where a run has no such metric", () => {
    const table = compareRunsMarkdown([
      { run: "a", experiment: "quickstart", results: [arm("base", 0.3, 0.5, 10), arm("lora", 0.6, 0.55, 12)] },
      // A generation study's arm: no macro-F1 or accuracy (null once read back from result.json), its own metrics instead.
      { run: "b", experiment: "medquad", results: [{ ...arm("lora", Number.NaN, Number.NaN, 9), macroF1: null as unknown as number, metrics: { rougeL: 0.2, perplexity: 12.5, smog: 9 } }] },
      { run: "c", experiment: "medquad", results: [{ ...arm("base", Number.NaN, Number.NaN, 11), metrics: { rougeL: 0.1, perplexity: 14, smog: 8 } }] },
    ]).split("\n")
    expect(table[0]).toBe("| run | experiment | arm | n | macro-F1 | accuracy | rougeL | perplexity | smog | latency mean (ms) | trainable params |")
    expect(table[2]).toBe("| a | quickstart | base | 10 | 0.3000 | 0.5000 | — | — | — | 10.00 | 8 |")
    expect(table[3]).toBe("| a | quickstart | lora | 10 | **0.6000** | **0.5500** | — | — | — | 12.00 | 8 |")
    // ROUGE-L is best high, perplexity low; a readability grade is better neither way, so never bold.
    expect(table[4]).toBe("| b | medquad | lora | 10 | — | — | **0.2000** | **12.5000** | 9.0000 | **9.00** | 8 |")
    expect(table[5]).toBe("| c | medquad | base | 10 | — | — | 0.1000 | 14.0000 | 8.0000 | 11.00 | 8 |")
  })
})

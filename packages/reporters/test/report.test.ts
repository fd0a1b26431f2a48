import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { summaryLines, truncationLine, writeReport, type Comparison } from "../src/index.ts"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"

const comparison = (arm: string, observed: number, pValue: number, pHolm?: number): Comparison => ({
  arm,
  baseline: "base",
  bootstrap: { macro_f1: { observed, ci95: [observed - 0.1, observed + 0.1], pValue, B: 1000, ...(pHolm === undefined ? {} : { pHolm }) } },
})

describe("report.md", () => {
  const tmp = useTmpDir("reporters")

  it("says which arms beat the baseline significantly, judged by the Holm-adjusted p when there is one", () => {
    const lines = summaryLines({
      metric: "macro_f1",
      alpha: 0.05,
      comparisons: [comparison("prompt", 0.16, 0.007, 0.021), comparison("prefix", 0.1, 0.03, 0.06), comparison("lora", -0.2, 0.001, 0.004), comparison("qlora", 0.25, 2 / 1001, 8 / 1001)],
    })
    expect(lines).toEqual([
      "- prompt is significantly better than base (macro_f1 +0.1600 [+0.0600, +0.2600], Holm-adjusted p = 0.021).",
      "- prefix is not significantly different from base (macro_f1 +0.1000 [0.0000, +0.2000], Holm-adjusted p = 0.06).",
      "- lora is significantly worse than base (macro_f1 -0.2000 [-0.3000, -0.1000], Holm-adjusted p = 0.004).",
      // No resample of B = 1000 crossed 0: p = 2·(0 + 1)/(B + 1), Holm ×4 for the smallest of four, never "p = 0".
      "- qlora is significantly better than base (macro_f1 +0.2500 [+0.1500, +0.3500], Holm-adjusted p = 0.00799).",
    ])
  })

  it("stitches the summary, the tables and the figures into one page", async () => {
    await writeReport(tmp(), {
      name: "pubmedqa-quickstart",
      n: 89,
      metric: "macro_f1",
      alpha: 0.05,
      comparisons: [comparison("prompt", 0.16, 0.007)],
      resultsTable: "| arm |\n| :--- |\n| base |\n",
      statsTables: "## prompt vs base\n\ntable\n",
      figures: ["figures/performance.svg", "figures/confusion_base.svg"],
    })
    const report = readFileSync(join(tmp(), "report.md"), "utf8")
    expect(report.startsWith("# pubmedqa-quickstart\n\nTest set: n = 89. Significance: paired bootstrap on macro_f1, α = 0.05.\n\n- prompt is significantly better")).toBe(true)
    expect(report).toContain("## Results\n\n| arm |\n| :--- |\n| base |\n\n## Statistics\n\n## prompt vs base")
    expect(report).toContain("## Figures\n\n![performance](figures/performance.svg)\n\n![confusion_base](figures/confusion_base.svg)\n")
  })

  it("says how many inputs were cut to fit training.max_length, under the test-set line", async () => {
    const splits = { train: { cut: 0, total: 100 }, val: { cut: 3, total: 20, example: "77" }, test: { cut: 16, total: 60, example: "12345" } }
    const truncation = { max_length: 256, policy: "cut" as const, unit: "examples", splits }
    expect(truncationLine(truncation)).toBe("Truncation: train 0 of 100, val 3 of 20, test 16 of 60 examples cut to fit training.max_length 256 (first: val 77).")
    const input = { name: "q", n: 60, metric: "macro_f1", alpha: 0.05, comparisons: [], resultsTable: "", statsTables: "", figures: [] }
    await writeReport(tmp(), { ...input, truncation })
    const report = readFileSync(join(tmp(), "report.md"), "utf8")
    expect(report).toContain("α = 0.05.\n\nTruncation: train 0 of 100, val 3 of 20, test 16 of 60 examples cut to fit training.max_length 256 (first: val 77).\n\n- No arm")
    // A folder written before inputs were counted has no line.
    await writeReport(tmp(), input)
    expect(readFileSync(join(tmp(), "report.md"), "utf8")).not.toContain("Truncation")
  })
})

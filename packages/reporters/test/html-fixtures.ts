// report.html input for the HTML tests, built from the figure tests' study: its figures (with
// training curves and confusion matrices), tables and statistics as a run writes them, and
// its test examples.
import { figureSpecs, summaryLines, toMarkdownTable, type Comparison, type HtmlReportInput } from "../src/index.ts"
import { study } from "./figures-fixtures.ts"

const comparisons: Comparison[] = [
  { arm: "prompt", baseline: "zero-shot", n: 60, bootstrap: { macro_f1: { observed: 0.17, ci95: [0.02, 0.31], pValue: 0.012, pHolm: 0.024, B: 400 } } },
  { arm: "lora", baseline: "zero-shot", n: 60, bootstrap: { macro_f1: { observed: 0.37, ci95: [0.22, 0.5], pValue: 2 / 401, pHolm: 4 / 401, B: 400 } } },
]

const resultsTable = toMarkdownTable(
  ["arm", "kind", "macro-F1", "accuracy"],
  study.arms.map(({ result }) => [result.arm, result.kind, result.macroF1.toFixed(4), result.accuracy.toFixed(4)]),
  ["left", "left", "right", "right"],
)

export const reportInput: HtmlReportInput = {
  title: "pubmedqa <quickstart> & friends",
  summary: summaryLines({ comparisons, metric: "macro_f1", alpha: 0.05 }),
  sections: [
    { heading: "Results", markdown: resultsTable },
    { heading: "Statistics", markdown: "## prompt vs zero-shot\n\nPaired bootstrap, B = 400: difference = prompt − zero-shot.\n\n| metric | difference |\n| :--- | ---: |\n| macro_f1 | **+0.1700** |\n" },
  ],
  figures: figureSpecs(study),
  examples: { arms: study.arms.map(({ result, predictions }) => ({ arm: result.arm, rows: predictions })) },
}

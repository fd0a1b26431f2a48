// What report.html shows of a finished run: the summary and tables of report.md, the figures'
// Vega-Lite specs (embedded live), and every test example with each arm's prediction and score.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { figureSpecs, summaryLines, type HtmlExamples, type HtmlReportInput } from "@peftlab/reporters"
import { isGenerativeQa, isSpanExtraction } from "@peftlab/spec"
import type { EntitySpan } from "@peftlab/datasets"
import type { FinishedRun } from "../registry/entries.ts"
import { predictionsFile } from "../span/span-arm.ts"
import { sentenceCounts } from "../span/span-comparisons.ts"
import { figuresInputOf } from "./figures-input.ts"
import { headlineMetricOf } from "./headline-metric.ts"

/** A markdown file as written, without its first heading. */
export const tablesOf = (outDir: string, file: string): string => readFileSync(join(outDir, file), "utf8").replace(/^# [^\n]*\n+/, "")

const spansText = (spans: ReadonlyArray<EntitySpan>, text: string): string =>
  spans.map((span) => `${span.type}: ${text.slice(span.start, span.end)}`).join("; ")

/** Each test sentence's text by id, from the arm's preds_<arm>_test.jsonl (its result keeps only offsets). */
const sentenceTexts = (outDir: string, arm: string): Map<string, string> =>
  new Map(
    readFileSync(predictionsFile(outDir, arm), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { id: string; text: string })
      .map(({ id, text }) => [id, text]),
  )

/** Per arm, one row per test example in the same order: gold, prediction and its score. */
const examplesOf = (outDir: string, run: FinishedRun): HtmlExamples => {
  if (isGenerativeQa(run.spec.task)) {
    return {
      columns: { gold: "reference", pred: "generated", score: "ROUGE-L" },
      arms: run.finished.map(({ result, generations = [] }) => ({
        arm: result.arm,
        rows: generations.map((g) => ({ id: g.id, gold: g.reference, pred: g.generated, score: g.rougeL })),
      })),
    }
  }
  if (isSpanExtraction(run.spec.task)) {
    return {
      columns: { gold: "gold spans", pred: "predicted spans", score: "sentence F1" },
      arms: run.finished.map(({ result, extractions = [] }) => {
        const texts = sentenceTexts(outDir, result.arm)
        return {
          arm: result.arm,
          rows: extractions.map((row) => {
            const [correct, predicted, gold] = sentenceCounts(row)
            const text = texts.get(row.id) ?? ""
            return { id: row.id, gold: spansText(row.gold, text), pred: spansText(row.predicted, text), score: predicted + gold === 0 ? 1 : (2 * correct) / (predicted + gold) }
          }),
        }
      }),
    }
  }
  return { arms: run.finished.map(({ result, predictions }) => ({ arm: result.arm, rows: predictions })) }
}

export const htmlInputOf = (outDir: string, run: FinishedRun): HtmlReportInput => ({
  title: run.spec.name,
  summary: summaryLines({ comparisons: run.comparisons, metric: headlineMetricOf(run.spec), alpha: 0.05 }),
  sections: [
    { heading: "Results", markdown: tablesOf(outDir, "results.md") },
    { heading: "Statistics", markdown: tablesOf(outDir, "stats.md") },
  ],
  figures: figureSpecs(figuresInputOf(run)),
  examples: examplesOf(outDir, run),
})

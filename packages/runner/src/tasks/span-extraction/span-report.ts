// What a span-extraction run's reports show: results.csv and results.md with strict micro
// scores and each entity type's F1, the figures of per-sentence span counts, and report.html's
// gold and predicted spans per test sentence with the sentence's F1.
import { readFileSync } from "node:fs"
import type { EntitySpan } from "@peftlab/datasets"
import type { FiguresInput, HtmlExamples } from "@peftlab/reporters"
import type { FinishedRun } from "@peftlab/plugin-api"
import { isSpanExtraction } from "@peftlab/spec"
import { predictionsFile } from "./span-arm.ts"
import { sentenceCounts } from "./span-comparisons.ts"
import { writeSpanResults } from "./span-results.ts"

export const writeExtractionResults = (outDir: string, run: FinishedRun): Promise<void> => {
  const relations = isSpanExtraction(run.spec.task) ? run.spec.task.relations : undefined
  return writeSpanResults(outDir, run.finished.map((f) => f.result), run.labels, relations && Object.keys(relations.types))
}

export const extractionFigures = (run: FinishedRun): Omit<FiguresInput, "bootstrap"> => {
  const extraction = run.finished.map(({ result, training, extractions }) => ({ result, training, counts: (extractions ?? []).map(sentenceCounts) }))
  return { labels: [], arms: [], extraction }
}

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

export const extractionExamples = (outDir: string, run: FinishedRun): HtmlExamples => ({
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
})

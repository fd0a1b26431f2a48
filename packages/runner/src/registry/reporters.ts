// The built-in reporters: the summary files of @peftlab/reporters, written once every arm is
// done. Per-arm files (predictions, confusion matrices, adapters) are written as each arm
// finishes, so that a stopped run keeps them.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { classificationIntervals, writeFigures, writeReport, writeResults, writeStats, writeTrainLog, type Interval, type ResultIntervals } from "@peftlab/reporters"
import { isGenerativeQa, isSpanExtraction } from "@peftlab/spec"
import { writeQAResults } from "../qa/qa-results.ts"
import { sentenceCounts } from "../span/span-comparisons.ts"
import { writeSpanResults } from "../span/span-results.ts"
import { writeSelections } from "../selection.ts"
import type { FinishedArm } from "../output-folder.ts"
import type { FinishedRun, Reporter } from "./entries.ts"

const trainLogRecords = ({ finished }: FinishedRun): Array<object> =>
  finished.flatMap(({ result, training }) => [
    ...(training?.steps ?? []).map((s) => ({ arm: result.arm, type: "step", ...s })),
    ...(training?.epochs ?? []).map((e) => ({ arm: result.arm, type: "epoch", ...e })),
  ])

/** Each arm's own 95% bootstrap CI of macro-F1 and accuracy, drawn as the figures draw them. */
const intervalsOf = (run: FinishedRun): Map<string, ResultIntervals> => {
  const found = classificationIntervals(run.finished, run.labels, run.spec.stats.bootstrap)
  const of = (arm: string, metric: string): Interval => {
    const interval = found.find((i) => i.arm === arm && i.metric === metric)
    return interval ? [interval.lo, interval.hi] : [Number.NaN, Number.NaN]
  }
  return new Map(run.finished.map(({ result }) => [result.arm, { macroF1: of(result.arm, "macro-F1"), accuracy: of(result.arm, "accuracy") }]))
}

/** A QA arm's per-answer scores and answer lengths in words, for the generation figures. */
const generationArm = ({ result, generations = [] }: FinishedArm) => ({
  arm: result.arm,
  scores: {
    "ROUGE-1": generations.map((g) => g.rouge1),
    "ROUGE-L": generations.map((g) => g.rougeL),
    "token F1": generations.map((g) => g.token_f1),
  },
  lengths: generations.map((g) => g.generated.split(/\s+/).filter((word) => word !== "").length),
})

/** A markdown file as written, without its first heading, to stitch into report.md. */
const tablesOf = (outDir: string, file: string): string => readFileSync(join(outDir, file), "utf8").replace(/^# [^\n]*\n+/, "")

const figureFiles = (outDir: string): Array<string> =>
  !existsSync(join(outDir, "figures")) ? [] : readdirSync(join(outDir, "figures"))
    .filter((file) => file.endsWith(".svg"))
    .sort()
    .map((file) => `figures/${file}`)

// In order: report reads what results, stats and figures wrote.
export const builtinReporters: ReadonlyArray<Reporter> = [
  {
    name: "results",
    write: (outDir, run) => {
      if (isGenerativeQa(run.spec.task)) return writeQAResults(outDir, run.finished.map((f) => f.result))
      if (isSpanExtraction(run.spec.task)) return writeSpanResults(outDir, run.finished.map((f) => f.result), run.labels)
      return writeResults(
        outDir,
        run.finished.map((f) => f.result),
        run.labels,
        new Map(run.spec.arms.map((arm) => [arm.name, arm.config])),
        intervalsOf(run),
      )
    },
  },
  { name: "stats", write: (outDir, run) => writeStats(outDir, run.comparisons) },
  { name: "train_log", write: (outDir, run) => writeTrainLog(outDir, trainLogRecords(run)) },
  { name: "selection", write: async (outDir, run) => (run.selections.length > 0 ? writeSelections(outDir, run.selections) : undefined) },
  {
    name: "figures",
    write: async (outDir, run) => {
      const bootstrap = run.spec.stats.bootstrap
      if (isGenerativeQa(run.spec.task)) {
        await writeFigures(outDir, { labels: [], arms: [], generation: { arms: run.finished.map(generationArm), lengthUnit: "words" }, bootstrap })
      } else if (isSpanExtraction(run.spec.task)) {
        const extraction = run.finished.map(({ result, training, extractions }) => ({ result, training, counts: (extractions ?? []).map(sentenceCounts) }))
        await writeFigures(outDir, { labels: [], arms: [], extraction, bootstrap })
      } else {
        await writeFigures(outDir, { labels: run.labels, arms: run.finished, bootstrap })
      }
    },
  },
  {
    name: "report",
    write: (outDir, run) =>
      writeReport(outDir, {
        name: run.spec.name,
        n: run.finished[0]?.result.n ?? 0,
        metric: isGenerativeQa(run.spec.task) ? "rougeL" : isSpanExtraction(run.spec.task) ? "micro_f1" : "macro_f1",
        alpha: 0.05,
        comparisons: run.comparisons,
        resultsTable: tablesOf(outDir, "results.md"),
        statsTables: tablesOf(outDir, "stats.md"),
        figures: figureFiles(outDir),
      }),
  },
]

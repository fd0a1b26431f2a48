// What a generative-qa run's reports show: results.csv and results.md with the generation
// metrics, the figures of per-answer scores and answer lengths, and report.html's generated
// answer per test example beside its reference.
import type { FiguresInput, HtmlExamples } from "@peftlab/reporters"
import type { FinishedArm } from "../../output-folder.ts"
import type { FinishedRun } from "@peftlab/plugin-api"
import { writeQAResults } from "./qa-results.ts"

// A folder made before evaluation.rouge_stemmer existed has none in its manifest: it was off.
export const writeGenerationResults = (outDir: string, run: FinishedRun): Promise<void> =>
  writeQAResults(outDir, run.finished.map((f) => f.result), run.spec.evaluation.rouge_stemmer === true, run.spec.evaluation.bertscore)

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

export const generationFigures = (run: FinishedRun): Omit<FiguresInput, "bootstrap"> => ({ labels: [], arms: [], generation: { arms: run.finished.map(generationArm), lengthUnit: "words" } })

export const generationExamples = (_outDir: string, run: FinishedRun): HtmlExamples => ({
  columns: { gold: "reference", pred: "generated", score: "ROUGE-L" },
  arms: run.finished.map(({ result, generations = [] }) => ({
    arm: result.arm,
    rows: generations.map((g) => ({ id: g.id, gold: g.reference, pred: g.generated, score: g.rougeL })),
  })),
})

// What the figures are drawn from, for every task: the figures reporter renders it to files and
// the HTML report embeds the same specs live, so the page and figures/ never disagree.
import type { FiguresInput } from "@peftlab/reporters"
import { isGenerativeQa, isSpanExtraction } from "@peftlab/spec"
import type { FinishedArm } from "../output-folder.ts"
import type { FinishedRun } from "../registry/entries.ts"
import { sentenceCounts } from "../span/span-comparisons.ts"

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

export const figuresInputOf = (run: FinishedRun): FiguresInput => {
  const bootstrap = run.spec.stats.bootstrap
  if (isGenerativeQa(run.spec.task)) return { labels: [], arms: [], generation: { arms: run.finished.map(generationArm), lengthUnit: "words" }, bootstrap }
  if (isSpanExtraction(run.spec.task)) {
    const extraction = run.finished.map(({ result, training, extractions }) => ({ result, training, counts: (extractions ?? []).map(sentenceCounts) }))
    return { labels: [], arms: [], extraction, bootstrap }
  }
  return { labels: run.labels, arms: run.finished, bootstrap }
}

// Each QA arm against the baseline on the same test examples: a paired bootstrap of the
// per-example ROUGE-L difference (and BERTScore F1's, when the spec asks for BERTScore) and,
// when asked, their approximate randomization, Holm-adjusted across arms as for classification.
import { approximateRandomization, meanOfScores } from "@peftlab/stats"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { bootstrapOf, compareEachArm, randomizationOf } from "../../comparisons.ts"
import type { GenerationRow } from "./qa-task.ts"

/** Each per-example score the rows carry: ROUGE-L always, BERTScore F1 when the spec asked for it. */
const scoresOf = (rows: ReadonlyArray<GenerationRow>): Record<string, ReadonlyArray<number>> => ({
  rougeL: rows.map((r) => r.rougeL),
  ...(rows.every((r) => r.bertscore_f1 !== undefined) && rows.length > 0 && { bertscore_f1: rows.map((r) => r.bertscore_f1!) }),
})

export const compareGenerationsWithBaseline = (spec: ExperimentSpec, generations: ReadonlyMap<string, ReadonlyArray<GenerationRow>>): Array<Comparison> =>
  compareEachArm(spec, generations, (base, other) => {
    const [a, b] = [scoresOf(base), scoresOf(other)]
    const metrics = Object.keys(a).filter((name) => b[name] !== undefined)
    return {
      ...bootstrapOf(spec, base.length, Object.fromEntries(metrics.map((name) => [name, { a: meanOfScores(a[name]!), b: meanOfScores(b[name]!) }]))),
      // A per-example score and a count of 1: the mean of the scores from the totals.
      ...randomizationOf(spec, ({ R, seed }) =>
        approximateRandomization({
          R,
          seed,
          metrics: Object.fromEntries(metrics.map((name) => [name, { a: a[name]!.map((x) => [x, 1]), b: b[name]!.map((x) => [x, 1]), fromTotals: ([sum, n]: ReadonlyArray<number>) => sum! / n! }])),
        }),
      ),
    }
  })

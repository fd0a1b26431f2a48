// Each QA arm against the baseline on the same test examples: a paired bootstrap of the
// per-example ROUGE-L difference, Holm-adjusted across arms as for classification.
import { meanOfScores, pairedIndexBootstrap } from "@peftlab/stats"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { withHolm } from "../comparisons.ts"
import type { GenerationRow } from "./qa-task.ts"

const rougeLAlignedTo = (reference: ReadonlyArray<GenerationRow>, rows: ReadonlyArray<GenerationRow>): Array<number> => {
  const byId = new Map(rows.map((r) => [r.id, r.rougeL]))
  return reference.map((r) => {
    const score = byId.get(r.id)
    if (score === undefined) throw new Error(`arm generations lack test example ${r.id}: arms were evaluated on different test sets`)
    return score
  })
}

export const compareGenerationsWithBaseline = (spec: ExperimentSpec, generations: ReadonlyMap<string, ReadonlyArray<GenerationRow>>): Array<Comparison> => {
  const baseline = spec.stats.baseline
  const base = generations.get(baseline) ?? []
  const baseScores = base.map((r) => r.rougeL)
  const comparisons = spec.arms
    .filter((arm) => arm.name !== baseline && generations.has(arm.name))
    .map((arm) => ({
      arm: arm.name,
      baseline,
      n: base.length,
      bootstrap: pairedIndexBootstrap({
        n: base.length,
        B: spec.stats.bootstrap.B,
        seed: spec.stats.bootstrap.seed,
        metrics: { rougeL: { a: meanOfScores(baseScores), b: meanOfScores(rougeLAlignedTo(base, generations.get(arm.name) ?? [])) } },
      }),
    }))
  return withHolm(comparisons)
}

// Each QA arm against the baseline on the same test examples: a paired bootstrap of the
// per-example ROUGE-L difference, Holm-adjusted across arms as for classification.
import { meanOfScores } from "@peftlab/stats"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { bootstrapOf, compareEachArm } from "../comparisons.ts"
import type { GenerationRow } from "./qa-task.ts"

export const compareGenerationsWithBaseline = (spec: ExperimentSpec, generations: ReadonlyMap<string, ReadonlyArray<GenerationRow>>): Array<Comparison> =>
  compareEachArm(spec, generations, (base, other) =>
    bootstrapOf(spec, base.length, "rougeL", { a: meanOfScores(base.map((r) => r.rougeL)), b: meanOfScores(other.map((r) => r.rougeL)) }),
  )

// Each classification arm against the spec's baseline on the same test examples: McNemar's
// exact test on the discordant pairs, a paired bootstrap of the accuracy and macro-F1
// differences and, when asked, approximate randomization of both; Holm-adjusted across arms (comparisons.ts).
import { accuracy, macroF1, mcnemarExact, pairedBootstrap, pairedRandomization } from "@peftlab/stats"
import type { Comparison, PredictionRow } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { compareEachArm, randomizationOf } from "../../comparisons.ts"

/** Classification: McNemar's exact test (when the spec asks) and a paired bootstrap of accuracy and macro-F1. */
export const compareWithBaseline = (spec: ExperimentSpec, labels: ReadonlyArray<string>, predictions: ReadonlyMap<string, ReadonlyArray<PredictionRow>>): Array<Comparison> =>
  compareEachArm(spec, predictions, (base, other) => {
    const paired = { gold: base.map((r) => r.gold), predA: base.map((r) => r.pred), predB: other.map((r) => r.pred), labels, metrics: { accuracy, macro_f1: macroF1 } }
    return {
      ...(spec.stats.mcnemar ? { mcnemar: mcnemarExact(base.map((r) => r.pred === r.gold), other.map((r) => r.pred === r.gold)) } : {}),
      bootstrap: pairedBootstrap({ ...paired, B: spec.stats.bootstrap.B, seed: spec.stats.bootstrap.seed }),
      ...randomizationOf(spec, ({ R, seed }) => pairedRandomization({ ...paired, R, seed })),
    }
  })

// Each arm against the spec's baseline on the same test examples: McNemar's exact test on
// the discordant pairs and a paired bootstrap of the accuracy and macro-F1 differences. With
// several arms, every p-value is also Holm-adjusted over the arms compared on that test.
import { accuracy, holmBonferroni, macroF1, mcnemarExact, pairedBootstrap } from "@peftlab/stats"
import type { Comparison, PredictionRow } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"

const alignedTo = (reference: ReadonlyArray<PredictionRow>, rows: ReadonlyArray<PredictionRow>): Array<PredictionRow> => {
  const byId = new Map(rows.map((r) => [r.id, r]))
  return reference.map((r) => {
    const match = byId.get(r.id)
    if (!match) throw new Error(`arm predictions lack test example ${r.id}: arms were evaluated on different test sets`)
    return match
  })
}

/** Adds Holm-adjusted p-values, per test (McNemar, each bootstrap metric), across the comparisons. */
export const withHolm = (comparisons: ReadonlyArray<Comparison>): Array<Comparison> => {
  if (comparisons.length < 2) return [...comparisons]
  const adjust = (values: ReadonlyArray<number | undefined>) => {
    const present = values.flatMap((p, i) => (p === undefined ? [] : [[i, p] as const]))
    const adjusted = holmBonferroni(present.map(([, p]) => p)).adjusted
    return new Map(present.map(([i], k) => [i, adjusted[k] as number]))
  }
  const mcnemar = adjust(comparisons.map((c) => c.mcnemar?.pValue))
  const metrics = [...new Set(comparisons.flatMap((c) => Object.keys(c.bootstrap ?? {})))]
  const bootstrap = new Map(metrics.map((metric) => [metric, adjust(comparisons.map((c) => c.bootstrap?.[metric]?.pValue))]))
  return comparisons.map((c, i) => ({
    ...c,
    ...(c.mcnemar ? { mcnemar: { ...c.mcnemar, pHolm: mcnemar.get(i) as number } } : {}),
    ...(c.bootstrap
      ? { bootstrap: Object.fromEntries(Object.entries(c.bootstrap).map(([metric, summary]) => [metric, { ...summary, pHolm: bootstrap.get(metric)?.get(i) as number }])) }
      : {}),
  }))
}

export const compareWithBaseline = (
  spec: ExperimentSpec,
  labels: ReadonlyArray<string>,
  predictions: ReadonlyMap<string, ReadonlyArray<PredictionRow>>,
): Array<Comparison> => {
  const baseline = spec.stats.baseline
  const base = predictions.get(baseline) ?? []
  // Sweep configurations that were not selected were never evaluated on test: nothing to compare.
  const comparisons = spec.arms
    .filter((arm) => arm.name !== baseline && predictions.has(arm.name))
    .map((arm) => {
      const other = alignedTo(base, predictions.get(arm.name) ?? [])
      const gold = base.map((r) => r.gold)
      return {
        arm: arm.name,
        baseline,
        n: base.length,
        ...(spec.stats.mcnemar
          ? { mcnemar: mcnemarExact(base.map((r) => r.pred === r.gold), other.map((r) => r.pred === r.gold)) }
          : {}),
        bootstrap: pairedBootstrap({
          gold,
          predA: base.map((r) => r.pred),
          predB: other.map((r) => r.pred),
          labels,
          B: spec.stats.bootstrap.B,
          seed: spec.stats.bootstrap.seed,
          metrics: { accuracy, macro_f1: macroF1 },
        }),
      }
    })
  return withHolm(comparisons)
}

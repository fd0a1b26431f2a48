// Each arm against the spec's baseline on the same test examples: McNemar's exact test on
// the discordant pairs and a paired bootstrap of the accuracy and macro-F1 differences. With
// several arms, every p-value is also Holm-adjusted over the arms compared on that test.
import { accuracy, holmBonferroni, macroF1, mcnemarExact, pairedBootstrap, pairedIndexBootstrap, type PairedMetric } from "@peftlab/stats"
import type { Comparison, PredictionRow } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"

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

/**
 * Each evaluated arm against the baseline on the same test examples (rows matched by id), by
 * the task's `tests` of the baseline's rows and the arm's aligned to them; Holm-adjusted.
 * Sweep configurations that were not selected were never evaluated on test: nothing to compare.
 */
export const compareEachArm = <Row extends { readonly id: string }>(
  spec: ExperimentSpec,
  rowsByArm: ReadonlyMap<string, ReadonlyArray<Row>>,
  tests: (base: ReadonlyArray<Row>, arm: ReadonlyArray<Row>) => Pick<Comparison, "mcnemar" | "bootstrap">,
): Array<Comparison> => {
  const baseline = spec.stats.baseline
  const base = rowsByArm.get(baseline) ?? []
  if (base.length === 0) return []
  const alignedToBase = (rows: ReadonlyArray<Row>): Array<Row> => {
    const byId = new Map(rows.map((r) => [r.id, r]))
    return base.map(({ id }) => {
      const match = byId.get(id)
      if (!match) throw new Error(`arm results lack test example ${id}: arms were evaluated on different test sets`)
      return match
    })
  }
  const comparisons = spec.arms
    .filter((arm) => arm.name !== baseline && rowsByArm.has(arm.name))
    .map((arm) => ({ arm: arm.name, baseline, n: base.length, ...tests(base, alignedToBase(rowsByArm.get(arm.name) ?? [])) }))
  return withHolm(comparisons)
}

/** A paired bootstrap of one metric over `n` aligned examples, with the spec's B and seed. */
export const bootstrapOf = (spec: ExperimentSpec, n: number, name: string, metric: PairedMetric): Pick<Comparison, "bootstrap"> => ({
  bootstrap: pairedIndexBootstrap({ n, B: spec.stats.bootstrap.B, seed: spec.stats.bootstrap.seed, metrics: { [name]: metric } }),
})

/** Classification: McNemar's exact test (when the spec asks) and a paired bootstrap of accuracy and macro-F1. */
export const compareWithBaseline = (spec: ExperimentSpec, labels: ReadonlyArray<string>, predictions: ReadonlyMap<string, ReadonlyArray<PredictionRow>>): Array<Comparison> =>
  compareEachArm(spec, predictions, (base, other) => ({
    ...(spec.stats.mcnemar ? { mcnemar: mcnemarExact(base.map((r) => r.pred === r.gold), other.map((r) => r.pred === r.gold)) } : {}),
    bootstrap: pairedBootstrap({
      gold: base.map((r) => r.gold),
      predA: base.map((r) => r.pred),
      predB: other.map((r) => r.pred),
      labels,
      B: spec.stats.bootstrap.B,
      seed: spec.stats.bootstrap.seed,
      metrics: { accuracy, macro_f1: macroF1 },
    }),
  }))

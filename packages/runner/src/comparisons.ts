// Each arm against the spec's baseline on the same test examples, for every task kind: rows
// matched by id, the task kind's tests (tasks/*/…-comparisons.ts) on each pair, and with
// several arms every p-value Holm-adjusted over the arms compared on that test.
import { holmBonferroni, pairedIndexBootstrap, type PairedMetric, type RandomizationResult } from "@peftlab/stats"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"

/** Holm-adjusts each metric's p-values of one test (bootstrap or randomization) across the comparisons. */
const holmPerMetric = <S extends { readonly pValue: number }>(tables: ReadonlyArray<Readonly<Record<string, S>> | undefined>, adjust: (values: ReadonlyArray<number | undefined>) => Map<number, number>) => {
  const metrics = [...new Set(tables.flatMap((table) => Object.keys(table ?? {})))]
  const adjusted = new Map(metrics.map((metric) => [metric, adjust(tables.map((table) => table?.[metric]?.pValue))]))
  return (table: Readonly<Record<string, S>>, i: number) => Object.fromEntries(Object.entries(table).map(([metric, summary]) => [metric, { ...summary, pHolm: adjusted.get(metric)?.get(i) as number }]))
}

/** Adds Holm-adjusted p-values, per test (McNemar, each bootstrap and randomization metric), across the comparisons. */
export const withHolm = (comparisons: ReadonlyArray<Comparison>): Array<Comparison> => {
  if (comparisons.length < 2) return [...comparisons]
  const adjust = (values: ReadonlyArray<number | undefined>) => {
    const present = values.flatMap((p, i) => (p === undefined ? [] : [[i, p] as const]))
    const adjusted = holmBonferroni(present.map(([, p]) => p)).adjusted
    return new Map(present.map(([i], k) => [i, adjusted[k] as number]))
  }
  const mcnemar = adjust(comparisons.map((c) => c.mcnemar?.pValue))
  const bootstrap = holmPerMetric(comparisons.map((c) => c.bootstrap), adjust)
  const randomization = holmPerMetric(comparisons.map((c) => c.randomization), adjust)
  return comparisons.map((c, i) => ({
    ...c,
    ...(c.mcnemar ? { mcnemar: { ...c.mcnemar, pHolm: mcnemar.get(i) as number } } : {}),
    ...(c.bootstrap ? { bootstrap: bootstrap(c.bootstrap, i) } : {}),
    ...(c.randomization ? { randomization: randomization(c.randomization, i) } : {}),
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
  tests: (base: ReadonlyArray<Row>, arm: ReadonlyArray<Row>) => Pick<Comparison, "mcnemar" | "bootstrap" | "randomization">,
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

/** A paired bootstrap of metrics over `n` aligned examples, with the spec's B and seed. */
export const bootstrapOf = (spec: ExperimentSpec, n: number, metrics: Readonly<Record<string, PairedMetric>>): Pick<Comparison, "bootstrap"> => ({
  bootstrap: pairedIndexBootstrap({ n, B: spec.stats.bootstrap.B, seed: spec.stats.bootstrap.seed, metrics }),
})

/** Approximate randomization (`test`, given the spec's R and seed), when the spec asks for it (stats.randomization). */
export const randomizationOf = (
  spec: ExperimentSpec,
  test: (settings: { readonly R: number; readonly seed: number }) => Readonly<Record<string, RandomizationResult>>,
): Pick<Comparison, "randomization"> => {
  const settings = spec.stats.randomization
  return settings === undefined ? {} : { randomization: test(settings) }
}

// Paired approximate randomization (Noreen 1989, "Computer-Intensive Methods for Testing
// Hypotheses"; the significance test of the i2b2/n2c2 shared tasks, and of Riezler and Maxwell
// 2005 for MT): under "the two systems are interchangeable", each example's outputs could have
// come from either arm, so each shuffle swaps the two arms' outputs on every example with
// probability 1/2 and rescores both. The p-value is the share of shuffles whose difference is at
// least as far from 0 as the observed one, counting the observed data as one more shuffle.
// Two ways in, as for the bootstrap: per-example sufficient statistics summed into a corpus
// score (span counts, BLEU's n-gram counts, a per-example score with a count of 1), or gold
// labels and each arm's predicted labels scored by a classification metric.
import { Rng } from "@peftlab/core"
import type { Metric } from "./bootstrap.ts"

/** One metric's per-example statistics for both arms, and how totals become the score. */
export interface PairedStatistics {
  /** The baseline's statistics, one row per example. */
  readonly a: ReadonlyArray<ReadonlyArray<number>>
  readonly b: ReadonlyArray<ReadonlyArray<number>>
  /** The score from statistics summed over the examples (e.g. 2·matched / (predicted + gold)). */
  readonly fromTotals: (totals: ReadonlyArray<number>) => number
}

export interface RandomizationOptions {
  /** Number of shuffles. */
  readonly R: number
  readonly seed: number
  readonly metrics: Readonly<Record<string, PairedStatistics>>
}

export interface LabelRandomizationOptions {
  readonly gold: readonly string[]
  readonly predA: readonly string[]
  readonly predB: readonly string[]
  readonly labels: readonly string[]
  readonly R: number
  readonly seed: number
  readonly metrics: Readonly<Record<string, Metric>>
}

export interface RandomizationResult {
  /** metric(B) − metric(A) on the data as it is. */
  readonly observed: number
  /**
   * Two-sided, never 0: (c + 1)/(R + 1), c the shuffles whose |difference| is at least the
   * observed |difference| (Noreen 1989), so the smallest p that R shuffles can give is 1/(R + 1).
   */
  readonly pValue: number
  readonly R: number
}

/** Differences this close to the observed one count as reaching it (sums in another order round differently). */
const tieTolerance = 1e-12

/** The p-value of `reached` shuffles out of `R` reaching the observed difference: (reached + 1)/(R + 1). */
export const randomizationPValue = (reached: number, R: number): number => (reached + 1) / (R + 1)

/**
 * The test of one metric over `n` paired examples: `difference(swapped)` is metric(B) − metric(A)
 * with the examples flagged in `swapped` trading places (the flags array is reused: read it during the call).
 * Each metric draws its own stream from `seed`, so adding a metric leaves the others' p-values as they were.
 */
const swapTest = (name: string, n: number, R: number, seed: number, difference: (swapped: ReadonlyArray<boolean>) => number): RandomizationResult => {
  if (n === 0) throw new RangeError(`approximateRandomization: metric "${name}" has no examples`)
  const finite = (d: number) => {
    if (!Number.isFinite(d)) throw new RangeError(`approximateRandomization: metric "${name}" gave a non-finite difference (${d})`)
    return d
  }
  const swapped = new Array<boolean>(n).fill(false)
  const observed = finite(difference(swapped))
  const rng = Rng.seeded(seed)
  let reached = 0
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) swapped[i] = rng.next() < 0.5
    if (Math.abs(finite(difference(swapped))) >= Math.abs(observed) - tieTolerance) reached++
  }
  return { observed, pValue: randomizationPValue(reached, R), R }
}

const checkR = (R: number): void => {
  if (!Number.isInteger(R) || R < 1) throw new RangeError(`approximateRandomization: R must be a positive integer, got ${R}`)
}

const checkedWidth = (name: string, { a, b }: PairedStatistics): number => {
  if (a.length !== b.length) throw new RangeError(`approximateRandomization: metric "${name}" has ${a.length} examples for arm a and ${b.length} for arm b`)
  const width = a[0]?.length ?? 0
  const rows = [...a, ...b]
  const ragged = rows.findIndex((row) => row.length !== width)
  if (ragged >= 0) throw new RangeError(`approximateRandomization: metric "${name}" has rows of ${width} statistics and a row of ${rows[ragged]!.length}`)
  return width
}

/** metric(B) − metric(A) from the arms' summed statistics, rows flagged in `swapped` traded. */
const summedDifference = (statistics: PairedStatistics, width: number) => (swapped: ReadonlyArray<boolean>): number => {
  const sumA = new Array<number>(width).fill(0)
  const sumB = new Array<number>(width).fill(0)
  statistics.a.forEach((rowA, i) => {
    const rowB = statistics.b[i]!
    const [toA, toB] = swapped[i] ? [rowB, rowA] : [rowA, rowB]
    for (let k = 0; k < width; k++) {
      sumA[k]! += toA[k]!
      sumB[k]! += toB[k]!
    }
  })
  return statistics.fromTotals(sumB) - statistics.fromTotals(sumA)
}

export const approximateRandomization = ({ R, seed, metrics }: RandomizationOptions): Record<string, RandomizationResult> => {
  checkR(R)
  return Object.fromEntries(
    Object.entries(metrics).map(([name, statistics]) => [name, swapTest(name, statistics.a.length, R, seed, summedDifference(statistics, checkedWidth(name, statistics)))]),
  )
}

/** Approximate randomization of classification metrics: the arms' predicted labels trade places per example. */
export const pairedRandomization = ({ gold, predA, predB, labels, R, seed, metrics }: LabelRandomizationOptions): Record<string, RandomizationResult> => {
  checkR(R)
  const n = gold.length
  if (predA.length !== n || predB.length !== n) {
    throw new RangeError(`pairedRandomization: expected ${n} predictions per arm, got ${predA.length} (A) and ${predB.length} (B)`)
  }
  const difference = (metric: Metric) => (swapped: ReadonlyArray<boolean>) =>
    metric(gold, predB.map((p, i) => (swapped[i] ? predA[i]! : p)), labels) - metric(gold, predA.map((p, i) => (swapped[i] ? predB[i]! : p)), labels)
  return Object.fromEntries(Object.entries(metrics).map(([name, metric]) => [name, swapTest(name, n, R, seed, difference(metric))]))
}

// Paired bootstrap over example indices: each resample draws n indices with replacement and
// both arms are scored on that same draw, so the spread reflects the test set, not the
// pairing. A metric sees only the drawn indices, so it can average per-example scores or
// recompute a corpus statistic (e.g. BLEU from summed n-gram counts) on every resample.
import { Rng } from "@peftlab/core"
import { quantileSorted } from "./quantile.ts"

/**
 * One arm's score on a resample, given the drawn example indices (repeats included). The
 * array is reused for the next resample: read it during the call, do not keep it.
 */
export type IndexMetric = (indices: ReadonlyArray<number>) => number

/** The same metric for both arms; the reported difference is b − a (a is the baseline). */
export interface PairedMetric {
  readonly a: IndexMetric
  readonly b: IndexMetric
}

export interface PairedIndexBootstrapOptions {
  /** Number of examples; indices run over 0 … n − 1. */
  readonly n: number
  /** Number of resamples. */
  readonly B: number
  readonly seed: number
  readonly metrics: Readonly<Record<string, PairedMetric>>
}

export interface BootstrapResult {
  /** metric(B) − metric(A) on the full data. */
  readonly observed: number
  /** 2.5th and 97.5th percentiles of the resampled differences (linear interpolation). */
  readonly ci95: readonly [number, number]
  /**
   * Two-sided, never 0: min(1, 2·(k + 1)/(B + 1)), where k is the smaller of the numbers of
   * resampled differences ≤ 0 and ≥ 0 (the hits on the far side of "no difference"). The + 1s
   * count the observed data as one of the resamples (Davison and Hinkley 1997, "Bootstrap Methods
   * and their Application", eq. 4.11), so the smallest p that B resamples can give is 2/(B + 1).
   */
  readonly pValue: number
  readonly B: number
}

const difference = (name: string, metric: PairedMetric, indices: ReadonlyArray<number>, where: string): number => {
  const d = metric.b(indices) - metric.a(indices)
  // A NaN would sort last and silently shift the percentiles; say which metric produced it.
  if (!Number.isFinite(d)) throw new RangeError(`pairedBootstrap: metric "${name}" gave a non-finite difference (${d}) on ${where}`)
  return d
}

export const pairedIndexBootstrap = (options: PairedIndexBootstrapOptions): Record<string, BootstrapResult> => {
  const { n, B, seed, metrics } = options
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`pairedBootstrap: expected at least one example, got n = ${n}`)
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`pairedBootstrap: B must be a positive integer, got ${B}`)

  const entries = Object.entries(metrics)
  // Scored on the full data first, so inputs the metrics reject fail before any resampling.
  const all = Array.from({ length: n }, (_, i) => i)
  const observed = entries.map(([name, metric]) => difference(name, metric, all, "the full data"))
  const differences = entries.map(() => new Float64Array(B))
  const rng = Rng.seeded(seed)
  const indices = new Array<number>(n)
  for (let r = 0; r < B; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n)
    entries.forEach(([name, metric], m) => {
      differences[m]![r] = difference(name, metric, indices, `resample ${r}`)
    })
  }

  return Object.fromEntries(entries.map(([name], m) => [name, summarise(observed[m]!, differences[m]!.sort())]))
}

/** The two-sided p of `hits` resamples on the far side of 0 out of `B`: min(1, 2·(hits + 1)/(B + 1)). */
export const bootstrapPValue = (hits: number, B: number): number => Math.min(1, (2 * (hits + 1)) / (B + 1))

const summarise = (observed: number, sorted: Float64Array): BootstrapResult => {
  const values = Array.from(sorted)
  const B = values.length
  const atMostZero = values.filter((d) => d <= 0).length
  const atLeastZero = values.filter((d) => d >= 0).length
  return {
    observed,
    ci95: [quantileSorted(values, 0.025), quantileSorted(values, 0.975)],
    pValue: bootstrapPValue(Math.min(atMostZero, atLeastZero), B),
    B,
  }
}

// Paired bootstrap over example indices: each resample draws n indices with replacement and
// both arms are scored on that same draw, so the spread reflects the test set, not the
// pairing. A metric sees only the drawn indices, so it can average per-example scores or
// recompute a corpus statistic (e.g. BLEU from summed n-gram counts) on every resample.
import { Rng } from "@peftlab/core"
import { quantileSorted } from "@peftlab/evaluators"

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
   * Two-sided: min(1, 2·min(share of resampled differences ≤ 0, share ≥ 0)), i.e. twice the
   * smaller tail mass on either side of "no difference". 0 when no resample reached 0.
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

const summarise = (observed: number, sorted: Float64Array): BootstrapResult => {
  const values = Array.from(sorted)
  const B = values.length
  const atMostZero = values.filter((d) => d <= 0).length / B
  const atLeastZero = values.filter((d) => d >= 0).length / B
  return {
    observed,
    ci95: [quantileSorted(values, 0.025), quantileSorted(values, 0.975)],
    pValue: Math.min(1, 2 * Math.min(atMostZero, atLeastZero)),
    B,
  }
}

// Paired bootstrap of a metric difference between two arms scored on the same examples.
// Each resample draws n example indices with replacement and scores both arms on the same
// draw, so the spread reflects the test set, not the pairing.
import { Rng } from "@peftlab/core"
import { classificationMetrics, quantileSorted } from "@peftlab/evaluators"

/** A score computed from gold labels and predictions; `labels` is the full label set. */
export type Metric = (gold: readonly string[], pred: readonly string[], labels: readonly string[]) => number

// Generated answers that name no label count as wrong (see classificationMetrics).
export const accuracy: Metric = (gold, pred, labels) => classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).accuracy
export const macroF1: Metric = (gold, pred, labels) => classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).macroF1

export interface PairedBootstrapOptions {
  readonly gold: readonly string[]
  readonly predA: readonly string[]
  readonly predB: readonly string[]
  readonly labels: readonly string[]
  /** Number of resamples. */
  readonly B: number
  readonly seed: number
  readonly metrics: Readonly<Record<string, Metric>>
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

export const pairedBootstrap = (options: PairedBootstrapOptions): Record<string, BootstrapResult> => {
  const { gold, predA, predB, labels, B, seed, metrics } = options
  const n = gold.length
  if (predA.length !== n || predB.length !== n) {
    throw new RangeError(`pairedBootstrap: expected ${n} predictions per arm, got ${predA.length} (A) and ${predB.length} (B)`)
  }
  if (n === 0) throw new RangeError("pairedBootstrap: no examples")
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`pairedBootstrap: B must be a positive integer, got ${B}`)

  const entries = Object.entries(metrics)
  // Scored on the full data first, so labels the metrics reject fail before any resampling.
  const observed = entries.map(([, metric]) => metric(gold, predB, labels) - metric(gold, predA, labels))
  const differences = entries.map(() => new Float64Array(B))
  const rng = Rng.seeded(seed)
  for (let r = 0; r < B; r++) {
    const g = new Array<string>(n)
    const a = new Array<string>(n)
    const b = new Array<string>(n)
    for (let i = 0; i < n; i++) {
      const j = rng.int(n)
      g[i] = gold[j] as string
      a[i] = predA[j] as string
      b[i] = predB[j] as string
    }
    entries.forEach(([, metric], m) => {
      differences[m]![r] = metric(g, b, labels) - metric(g, a, labels)
    })
  }

  return Object.fromEntries(
    entries.map(([name], m) => [name, summarise(observed[m]!, differences[m]!.sort())]),
  )
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

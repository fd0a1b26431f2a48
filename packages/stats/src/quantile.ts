// Quantiles of sorted values, for bootstrap intervals here and latency percentiles in evaluators.
/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending-sorted values by linear interpolation between
 * the closest ranks, numpy's default method: position h = (n − 1)·q, then
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]).
 */
export const quantileSorted = (sorted: readonly number[], q: number): number => {
  if (sorted.length === 0) throw new RangeError("quantileSorted: no values")
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`)
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const below = sorted[lo] as number
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] as number
  return below + (h - lo) * (above - below)
}

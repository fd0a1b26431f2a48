// Holm's step-down correction (Holm 1979, "A simple sequentially rejective multiple test
// procedure", Scand. J. Statist. 6:65–70) for several arms each compared with the baseline.
// Adjusted p-values follow statsmodels' multipletests(method="holm"): sorted ascending,
// p_(j)·(m − j + 1), made monotone by a running maximum, capped at 1, back in input order.

export interface HolmResult {
  /** Adjusted p-values, in input order. */
  readonly adjusted: ReadonlyArray<number>
  /** Whether each hypothesis is rejected at `alpha` by the step-down procedure, in input order. */
  readonly reject: ReadonlyArray<boolean>
  readonly alpha: number
}

/**
 * Step-down: with p-values sorted ascending, reject H_(1) … H_(k−1) where k is the first j with
 * p_(j) > alpha / (m − j + 1); keep the rest. This is the same as adjusted ≤ alpha.
 */
export const holmBonferroni = (pValues: ReadonlyArray<number>, alpha = 0.05): HolmResult => {
  const bad = pValues.findIndex((p) => !(p >= 0 && p <= 1))
  if (bad >= 0) throw new RangeError(`holmBonferroni: p-value ${bad} is ${pValues[bad]}, expected a number in [0, 1]`)
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`holmBonferroni: alpha must be in (0, 1), got ${alpha}`)

  const m = pValues.length
  // A stable sort: tied p-values end up with the same adjusted value either way.
  const order = pValues.map((_, i) => i).sort((i, j) => (pValues[i] as number) - (pValues[j] as number))
  const adjusted = new Array<number>(m)
  const reject = new Array<boolean>(m).fill(false)
  let runningMax = 0
  let stepping = true
  order.forEach((index, j) => {
    const p = pValues[index] as number
    runningMax = Math.max(runningMax, Math.min(1, p * (m - j)))
    adjusted[index] = runningMax
    // Compared as statsmodels does (p against alpha / rank), so boundary cases round alike.
    stepping &&= p <= alpha / (m - j)
    reject[index] = stepping
  })
  return { adjusted, reject, alpha }
}

// Exact binomial tail probabilities in log space, so that tails far below the smallest
// double (n up to 10^5 and beyond) keep their relative precision until the final exp.

const LANCZOS_G = 7
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** log Γ(x) for x ≥ 1 by the Lanczos approximation (g = 7, 9 terms; relative error ~1e-15). */
export const logGamma = (x: number): number => {
  if (!(x >= 1)) throw new RangeError(`logGamma: expected x ≥ 1, got ${x}`)
  const z = x - 1
  let a = LANCZOS[0] as number
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i)
  const t = z + LANCZOS_G + 0.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/**
 * log P(X ≤ k) for X ~ Bin(n, 1/2) and 0 ≤ k ≤ n/2. The largest term, P(X = k), comes
 * from logGamma; the smaller ones are summed relative to it through the ratio
 * P(X = i − 1) / P(X = i) = i / (n − i + 1), stopping once they no longer change the sum.
 */
export const logBinomialHalfCdf = (k: number, n: number): number => {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || 2 * k > n) {
    throw new RangeError(`logBinomialHalfCdf: expected integers 0 ≤ k ≤ n/2, got k=${k}, n=${n}`)
  }
  const logPmfK = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) - n * Math.LN2
  let term = 1
  let relativeSum = 1
  for (let i = k; i > 0 && term > relativeSum * Number.EPSILON; i--) {
    term *= i / (n - i + 1)
    relativeSum += term
  }
  return logPmfK + Math.log(relativeSum)
}

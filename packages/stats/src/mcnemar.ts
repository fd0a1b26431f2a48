import { logBinomialHalfCdf } from "./binomial.ts"

export interface McNemarResult {
  /** Examples A got right and B got wrong. */
  readonly b: number
  /** Examples A got wrong and B got right. */
  readonly c: number
  /** Discordant examples, b + c. */
  readonly n: number
  readonly pValue: number
}

/**
 * McNemar's exact test on paired correctness: under H0 the discordant examples split
 * Bin(n, 1/2), and the two-sided p-value is min(1, 2·P(X ≤ min(b, c))); 1 when n = 0.
 */
export const mcnemarExact = (correctA: readonly boolean[], correctB: readonly boolean[]): McNemarResult => {
  if (correctA.length !== correctB.length) {
    throw new RangeError(`mcnemarExact: paired inputs differ in length (${correctA.length} vs ${correctB.length})`)
  }
  let b = 0
  let c = 0
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) b++
    else if (!correctA[i] && correctB[i]) c++
  }
  const n = b + c
  const pValue = n === 0 ? 1 : Math.min(1, 2 * Math.exp(logBinomialHalfCdf(Math.min(b, c), n)))
  return { b, c, n, pValue }
}

export const signed = (value: number, digits: number): string => (value > 0 ? "+" : "") + value.toFixed(digits)

/**
 * A p-value to 3 significant digits, as papers report them. Bootstrap p-values are never 0 now
 * ((k + 1)/(B + 1), see stats-report.ts); a 0 in a stats.json written before that still reads
 * "< 1/B" rather than a misleading 0.
 */
export const formatP = (p: number, B?: number): string => {
  if (p === 0) return B === undefined ? "0" : `< ${Number((1 / B).toPrecision(3))}`
  if (p >= 1) return "1"
  return p < 1e-4 ? p.toExponential(2) : String(Number(p.toPrecision(3)))
}

/** The value in bold when it is the column's best, as paper tables mark it. */
export const boldIf = (text: string, best: boolean): string => (best ? `**${text}**` : text)

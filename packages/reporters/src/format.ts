export const signed = (value: number, digits: number): string => (value > 0 ? "+" : "") + value.toFixed(digits)

/** A p-value below the last shown digit (a bootstrap p of 0 included) reads "<0.0001", not a misleading 0. */
export const formatP = (p: number): string => (p < 1e-4 ? "<0.0001" : p.toFixed(4))

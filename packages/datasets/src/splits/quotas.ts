/** Splits `n` (at most the total size) into per-group quotas proportional to `sizes`, by largest remainder (ties: earlier group). */
export const largestRemainderQuotas = (sizes: ReadonlyArray<number>, n: number): Array<number> => {
  const total = sizes.reduce((s, x) => s + x, 0)
  if (n > total) throw new RangeError(`largestRemainderQuotas: n = ${n} exceeds the total size ${total}`)
  const exact = sizes.map((size) => (total === 0 ? 0 : (size * n) / total))
  const quotas = exact.map(Math.floor)
  const leftover = n - quotas.reduce((s, x) => s + x, 0)
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of byRemainder.slice(0, leftover)) quotas[i] = (quotas[i] ?? 0) + 1
  return quotas
}

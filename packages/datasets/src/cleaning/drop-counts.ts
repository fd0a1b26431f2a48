/** Keeps the items `reasonOf` has no objection to, in order, and counts the others by reason. */
export const keepCounting = <A>(
  items: Iterable<A>,
  reasonOf: (item: A) => string | undefined,
): { readonly kept: Array<A>; readonly dropped: Record<string, number> } => {
  const kept: Array<A> = []
  const dropped: Record<string, number> = {}
  for (const item of items) {
    const reason = reasonOf(item)
    if (reason === undefined) kept.push(item)
    else dropped[reason] = (dropped[reason] ?? 0) + 1
  }
  return { kept, dropped }
}

/** Adds up several reason → count tables. */
export const sumCounts = (tables: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> => {
  const total: Record<string, number> = {}
  for (const table of tables) for (const [reason, n] of Object.entries(table)) total[reason] = (total[reason] ?? 0) + n
  return total
}

/**
 * A reason function that objects to every item whose key was seen before, so the
 * first of each group of duplicates is kept. Stateful: make one per pass.
 */
export const duplicateOf = <A>(key: (item: A) => string, reason: (item: A) => string): ((item: A) => string | undefined) => {
  const seen = new Set<string>()
  return (item) => {
    const k = key(item)
    if (seen.has(k)) return reason(item)
    seen.add(k)
    return undefined
  }
}

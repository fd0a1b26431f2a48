/** The class of a labelled example: the key for stratifying by label. */
export const byLabel = (example: { readonly label: string }): string => example.label

/** Examples grouped by key, keys in sorted (code-unit) order, each group in input order. */
export const groupBy = <A>(examples: ReadonlyArray<A>, key: (example: A) => string): Array<[string, Array<A>]> => {
  const groups = new Map<string, Array<A>>()
  for (const example of examples) {
    const k = key(example)
    const group = groups.get(k)
    if (group) group.push(example)
    else groups.set(k, [example])
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Groups by `key` when one is given, else one group of everything. */
export const strata = <A>(examples: ReadonlyArray<A>, key: ((example: A) => string) | undefined): Array<[string, Array<A>]> =>
  key === undefined ? [["", [...examples]]] : groupBy(examples, key)

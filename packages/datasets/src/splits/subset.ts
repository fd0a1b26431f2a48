import { Rng } from "@peftlab/core"
import { byLabel, groupBy } from "./groups.ts"
import { largestRemainderQuotas } from "./quotas.ts"

/**
 * A seeded subset of min(n, all) examples with the labels in the same proportions as the
 * whole set (largest-remainder rounding), for quick runs.
 */
export const stratifiedSubset = <A extends { readonly label: string }>(examples: ReadonlyArray<A>, n: number, seed: number): Array<A> => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`stratifiedSubset: n must be a non-negative integer, got ${n}`)
  const rng = Rng.seeded(seed)
  const groups = groupBy(examples, byLabel)
  const quotas = largestRemainderQuotas(groups.map(([, group]) => group.length), Math.min(n, examples.length))
  const picked = groups.flatMap(([, group], i) => rng.shuffle(group).slice(0, quotas[i]))
  return rng.shuffle(picked)
}

import { Rng } from "@peftlab/core"
import { strata } from "./groups.ts"

export interface Fold<A> {
  readonly train: Array<A>
  readonly test: Array<A>
}

/**
 * Seeded k-fold cross-validation: every example is in the test part of exactly one fold.
 * Each stratum (sorted by key; everything when `stratify` is absent) is shuffled and the
 * strata, one after another, are dealt to the folds in turn, so fold sizes differ by at
 * most one and so do each stratum's counts across folds.
 */
export const kFold = <A>(examples: ReadonlyArray<A>, k: number, seed: number, stratify?: (example: A) => string): Array<Fold<A>> => {
  if (!Number.isInteger(k) || k < 2 || k > examples.length) {
    throw new RangeError(`kFold: k must be an integer from 2 to the number of examples (${examples.length}), got ${k}`)
  }
  const rng = Rng.seeded(seed)
  const dealt = strata(examples, stratify).flatMap(([, group]) => rng.shuffle(group))
  const folds = Array.from({ length: k }, (_, fold) => dealt.filter((_, i) => i % k === fold))
  return folds.map((test, fold) => ({
    train: rng.shuffle(folds.filter((_, other) => other !== fold).flat()),
    test: rng.shuffle(test),
  }))
}

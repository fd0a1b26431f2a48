import { Rng } from "@peftlab/core"

/**
 * training.train_examples: a seeded subset of `n` training items (all of them when n is unset
 * or not smaller), drawn with `seed` (data.split.seed) so every arm of a run with the same n
 * trains on the same items and their comparison stays paired in data.
 */
export const fewShot = <A>(items: ReadonlyArray<A>, n: number | undefined, seed: number): ReadonlyArray<A> =>
  n === undefined || n >= items.length ? items : Rng.seeded(seed).shuffle(items).slice(0, n)

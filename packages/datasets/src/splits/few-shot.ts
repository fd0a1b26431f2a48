import { Rng } from "@peftlab/core"

/**
 * A few-shot training set: the first `perClass` examples of each class in a seeded
 * shuffle of the whole set, kept in that shuffled order. A class with fewer examples
 * contributes all it has.
 */
export const fewShot = <A>(examples: ReadonlyArray<A>, perClass: number, seed: number, classOf: (example: A) => string): Array<A> => {
  if (!Number.isInteger(perClass) || perClass < 0) throw new RangeError(`fewShot: perClass must be a non-negative integer, got ${perClass}`)
  const taken = new Map<string, number>()
  return Rng.seeded(seed)
    .shuffle(examples)
    .filter((example) => {
      const cls = classOf(example)
      const n = taken.get(cls) ?? 0
      taken.set(cls, n + 1)
      return n < perClass
    })
}

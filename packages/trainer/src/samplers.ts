// The order (and, for balancing, the choice) of training examples in each epoch.
import type { Rng } from "@peftlab/core"

export type Sampler<A> = (examples: ReadonlyArray<A>, rng: Rng) => Array<A>

/** Every example once, in a fresh seeded order. */
export const shuffled = <A>(): Sampler<A> => (examples, rng) => rng.shuffle(examples)

/**
 * As many draws as there are examples, with replacement, each example weighted by the inverse of
 * its class's size (PyTorch's WeightedRandomSampler recipe), so every class is drawn equally often.
 */
export const classBalanced =
  <A>(classOf: (example: A) => string): Sampler<A> =>
  (examples, rng) => {
    const byClass = new Map<string, Array<A>>()
    for (const e of examples) byClass.set(classOf(e), [...(byClass.get(classOf(e)) ?? []), e])
    const classes = [...byClass.values()]
    return examples.map(() => {
      const members = classes[rng.int(classes.length)] as Array<A>
      return members[rng.int(members.length)] as A
    })
  }

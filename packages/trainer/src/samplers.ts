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

/**
 * Every example once, in batches of similar lengths, so that a batch pads little (Hugging Face's
 * group_by_length): the shuffled examples are cut into mega-batches of `batchSize` x
 * `megaBatches`, each sorted by length (longest first) and cut into batches, and the batches are
 * then shuffled. The trainer cuts the order into batches of `batchSize` again, so they line up.
 */
export const lengthGrouped =
  <A>(lengthOf: (example: A) => number, batchSize: number, megaBatches = 50): Sampler<A> =>
  (examples, rng) => {
    const order = rng.shuffle(examples)
    const mega = batchSize * megaBatches
    const batches: Array<Array<A>> = []
    for (let start = 0; start < order.length; start += mega) {
      const sorted = order.slice(start, start + mega).sort((a, b) => lengthOf(b) - lengthOf(a))
      for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize))
    }
    // A short batch (the very last) stays last, so that every other batch is full.
    const full = batches.filter((b) => b.length === batchSize)
    return [...rng.shuffle(full), ...batches.filter((b) => b.length < batchSize)].flat()
  }

import { Rng } from "@peftlab/core"
import type { SpanSentence } from "./span-sentence.ts"

/**
 * A seeded few-shot subset: min(n, all) sentences drawn without replacement, in drawn order.
 * Sentences are the unit (not questions) so a sentence brings all its entity types along.
 */
export const sentenceSubset = <A extends SpanSentence>(sentences: ReadonlyArray<A>, n: number, seed: number): Array<A> => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sentenceSubset: n must be a non-negative integer, got ${n}`)
  return Rng.seeded(seed).shuffle(sentences).slice(0, n)
}

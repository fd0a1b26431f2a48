import { Rng } from "@peftlab/core"
import { byLabel, strata } from "./groups.ts"

export interface SplitFractions {
  readonly train: number
  readonly val: number
  readonly test: number
}

export interface Splits<A> {
  readonly train: Array<A>
  readonly val: Array<A>
  readonly test: Array<A>
}

/**
 * Seeded train/val/test split. With `stratify`, each stratum (sorted by key) keeps its share
 * in every part; without, the whole set is one stratum. Per stratum: shuffle, take
 * round(n·train) for train, round(n·val) for val and the rest for test; then shuffle each
 * part with the same generator so strata are interleaved.
 */
export const seededSplit = <A>(
  examples: ReadonlyArray<A>,
  fractions: SplitFractions,
  seed: number,
  stratify?: (example: A) => string,
): Splits<A> => {
  const { train, val, test } = fractions
  if ([train, val, test].some((f) => !(f >= 0)) || Math.abs(train + val + test - 1) > 1e-9) {
    throw new RangeError(`seededSplit: fractions must be >= 0 and sum to 1, got ${JSON.stringify(fractions)}`)
  }
  const rng = Rng.seeded(seed)
  const parts: Splits<A> = { train: [], val: [], test: [] }
  for (const [, group] of strata(examples, stratify)) {
    const shuffled = rng.shuffle(group)
    const nTrain = Math.round(shuffled.length * train)
    const nVal = Math.min(Math.round(shuffled.length * val), shuffled.length - nTrain)
    parts.train.push(...shuffled.slice(0, nTrain))
    parts.val.push(...shuffled.slice(nTrain, nTrain + nVal))
    parts.test.push(...shuffled.slice(nTrain + nVal))
  }
  return { train: rng.shuffle(parts.train), val: rng.shuffle(parts.val), test: rng.shuffle(parts.test) }
}

/** `seededSplit` stratified by label. */
export const stratifiedSplit = <A extends { readonly label: string }>(
  examples: ReadonlyArray<A>,
  fractions: SplitFractions,
  seed: number,
): Splits<A> => seededSplit(examples, fractions, seed, byLabel)

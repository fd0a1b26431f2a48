import { Rng } from "@peftlab/core"
import type { ClassificationExample } from "./example.ts"

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

type Labelled = Pick<ClassificationExample, "label">

/** Examples grouped by label, labels in sorted order, each group in input order. */
const byLabel = <A extends Labelled>(examples: ReadonlyArray<A>): Array<[string, Array<A>]> => {
  const groups = new Map<string, Array<A>>()
  for (const example of examples) {
    const group = groups.get(example.label)
    if (group) group.push(example)
    else groups.set(example.label, [example])
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Seeded split that keeps each label's share in every part: per label (sorted), shuffle,
 * take round(n·train) for train, round(n·val) for val and the rest for test; then
 * shuffle each part with the same generator so labels are interleaved.
 */
export const stratifiedSplit = <A extends Labelled>(
  examples: ReadonlyArray<A>,
  fractions: SplitFractions,
  seed: number,
): Splits<A> => {
  const { train, val, test } = fractions
  if ([train, val, test].some((f) => !(f >= 0)) || Math.abs(train + val + test - 1) > 1e-9) {
    throw new RangeError(`stratifiedSplit: fractions must be >= 0 and sum to 1, got ${JSON.stringify(fractions)}`)
  }
  const rng = Rng.seeded(seed)
  const parts: Splits<A> = { train: [], val: [], test: [] }
  for (const [, group] of byLabel(examples)) {
    const shuffled = rng.shuffle(group)
    const nTrain = Math.round(shuffled.length * train)
    const nVal = Math.min(Math.round(shuffled.length * val), shuffled.length - nTrain)
    parts.train.push(...shuffled.slice(0, nTrain))
    parts.val.push(...shuffled.slice(nTrain, nTrain + nVal))
    parts.test.push(...shuffled.slice(nTrain + nVal))
  }
  return { train: rng.shuffle(parts.train), val: rng.shuffle(parts.val), test: rng.shuffle(parts.test) }
}

/** Splits `n` (at most the total size) into per-group quotas proportional to `sizes`, by largest remainder (ties: earlier group). */
export const largestRemainderQuotas = (sizes: ReadonlyArray<number>, n: number): Array<number> => {
  const total = sizes.reduce((s, x) => s + x, 0)
  if (n > total) throw new RangeError(`largestRemainderQuotas: n = ${n} exceeds the total size ${total}`)
  const exact = sizes.map((size) => (total === 0 ? 0 : (size * n) / total))
  const quotas = exact.map(Math.floor)
  const leftover = n - quotas.reduce((s, x) => s + x, 0)
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of byRemainder.slice(0, leftover)) quotas[i] = (quotas[i] ?? 0) + 1
  return quotas
}

/**
 * A seeded subset of min(n, all) examples with the labels in the same proportions as the
 * whole set (largest-remainder rounding), for quick runs.
 */
export const stratifiedSubset = <A extends Labelled>(examples: ReadonlyArray<A>, n: number, seed: number): Array<A> => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`stratifiedSubset: n must be a non-negative integer, got ${n}`)
  const rng = Rng.seeded(seed)
  const groups = byLabel(examples)
  const quotas = largestRemainderQuotas(groups.map(([, group]) => group.length), Math.min(n, examples.length))
  const picked = groups.flatMap(([, group], i) => rng.shuffle(group).slice(0, quotas[i]))
  return rng.shuffle(picked)
}

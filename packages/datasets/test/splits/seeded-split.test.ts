import { describe, expect, it } from "vitest"
import { groupBy, largestRemainderQuotas, strata, seededSplit, stratifiedSplit, stratifiedSubset, type ClassificationExample } from "../../src/index.ts"

const make = (counts: Record<string, number>): Array<ClassificationExample> =>
  Object.entries(counts).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, question: `q ${label}${i}`, context: "c", label })),
  )

const countLabels = (examples: ReadonlyArray<ClassificationExample>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const e of examples) counts[e.label] = (counts[e.label] ?? 0) + 1
  return counts
}

const ids = (examples: ReadonlyArray<ClassificationExample>) => examples.map((e) => e.id)
const fractions = { train: 0.8, val: 0.1, test: 0.1 }

describe("stratifiedSplit", () => {
  const examples = make({ b: 7, a: 10 })

  it("takes round(n*train), round(n*val) and the rest per label", () => {
    const { train, val, test } = stratifiedSplit(examples, fractions, 1)
    // a: 8 / 1 / 1; b: round(5.6) = 6, round(0.7) = 1, 0 left.
    expect([countLabels(train), countLabels(val), countLabels(test)]).toEqual([{ a: 8, b: 6 }, { a: 1, b: 1 }, { a: 1 }])
  })

  it("makes disjoint parts that together hold every example", () => {
    const { train, val, test } = stratifiedSplit(examples, fractions, 1)
    const all = [...ids(train), ...ids(val), ...ids(test)]
    expect(new Set(all).size).toBe(examples.length)
    expect(all.sort()).toEqual(ids(examples).sort())
  })

  it("is reproducible for a seed and differs across seeds", () => {
    expect(stratifiedSplit(examples, fractions, 5)).toEqual(stratifiedSplit(examples, fractions, 5))
    expect(ids(stratifiedSplit(examples, fractions, 5).train)).not.toEqual(ids(stratifiedSplit(examples, fractions, 6).train))
  })

  it("never gives val more than what train left", () => {
    const { train, val, test } = stratifiedSplit(make({ a: 1 }), { train: 0.5, val: 0.5, test: 0 }, 0)
    expect([train.length, val.length, test.length]).toEqual([1, 0, 0])
  })

  it("rejects fractions that do not sum to 1", () => {
    expect(() => stratifiedSplit(examples, { train: 0.8, val: 0.1, test: 0.2 }, 0)).toThrow(RangeError)
    expect(() => stratifiedSplit(examples, { train: 1.1, val: -0.1, test: 0 }, 0)).toThrow(RangeError)
  })
})

describe("seededSplit", () => {
  const examples = make({ b: 7, a: 10 })

  it("without a key, splits the whole set: round(17*0.8) = 14, round(1.7) = 2, 1 left", () => {
    const { train, val, test } = seededSplit(examples, fractions, 3)
    expect([train.length, val.length, test.length]).toEqual([14, 2, 1])
    expect([...ids(train), ...ids(val), ...ids(test)].sort()).toEqual(ids(examples).sort())
  })

  it("with a key, is stratifiedSplit for the label key and stratifies by any other key", () => {
    expect(seededSplit(examples, fractions, 3, (e) => e.label)).toEqual(stratifiedSplit(examples, fractions, 3))
    // Key: the id's last digit is even; a has 5 even / 5 odd, b 4 even (0,2,4,6) / 3 odd.
    const parity = (e: ClassificationExample) => (Number(e.id.slice(-1)) % 2 === 0 ? "even" : "odd")
    const { test } = seededSplit(examples, { train: 0.5, val: 0, test: 0.5 }, 3, parity)
    // even: 9 - round(4.5) = 4 in test; odd: 8 - round(4) = 4.
    expect(test.filter((e) => parity(e) === "even")).toHaveLength(4)
    expect(test.filter((e) => parity(e) === "odd")).toHaveLength(4)
  })
})

describe("groupBy", () => {
  it("groups by key, keys sorted by code unit, each group in input order", () => {
    const groups = groupBy(["b1", "a1", "B1", "b2", "a2"], (s) => s[0] ?? "")
    expect(groups).toEqual([["B", ["B1"]], ["a", ["a1", "a2"]], ["b", ["b1", "b2"]]])
  })

  it("strata: groupBy with a key, one group of everything without", () => {
    expect(strata(["b1", "a1"], (s) => s[0] ?? "")).toEqual([["a", ["a1"]], ["b", ["b1"]]])
    expect(strata(["b1", "a1"], undefined)).toEqual([["", ["b1", "a1"]]])
  })
})

describe("largestRemainderQuotas", () => {
  it("hands leftover units to the largest remainders, earlier group on ties", () => {
    // 100 * 552/890 = 62.02, 100 * 338/890 = 37.98
    expect(largestRemainderQuotas([552, 338], 100)).toEqual([62, 38])
    // exact 2.5, 1.5, 1.0: the tie at .5 goes to the first group
    expect(largestRemainderQuotas([5, 3, 2], 5)).toEqual([3, 1, 1])
    expect(largestRemainderQuotas([0, 0], 0)).toEqual([0, 0])
    expect(() => largestRemainderQuotas([2, 1], 4)).toThrow(RangeError)
  })
})

describe("stratifiedSubset", () => {
  const examples = make({ yes: 552, no: 338 })

  it("keeps the class proportions", () => {
    const subset = stratifiedSubset(examples, 100, 42)
    expect(countLabels(subset)).toEqual({ no: 38, yes: 62 })
    expect(new Set(ids(subset)).size).toBe(100)
    const all = new Set(ids(examples))
    expect(ids(subset).every((id) => all.has(id))).toBe(true)
  })

  it("is reproducible for a seed and differs across seeds", () => {
    expect(ids(stratifiedSubset(examples, 20, 1))).toEqual(ids(stratifiedSubset(examples, 20, 1)))
    expect(ids(stratifiedSubset(examples, 20, 1))).not.toEqual(ids(stratifiedSubset(examples, 20, 2)))
  })

  it("returns everything (shuffled) when n exceeds the set, and rejects a bad n", () => {
    const small = make({ a: 3, b: 2 })
    expect(ids(stratifiedSubset(small, 50, 0)).sort()).toEqual(ids(small).sort())
    expect(() => stratifiedSubset(small, 1.5, 0)).toThrow(RangeError)
  })
})

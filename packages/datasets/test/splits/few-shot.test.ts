import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { byLabel, fewShot, type ClassificationExample } from "../../src/index.ts"

const make = (counts: Record<string, number>): Array<ClassificationExample> =>
  Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, question: "q", context: "c", label })))

const examples = make({ yes: 20, no: 12, maybe: 3 })

describe("fewShot", () => {
  it("takes the first N of each class from a seeded shuffle, in that shuffled order", () => {
    const shuffled = Rng.seeded(7).shuffle(examples)
    // Independent reference: walk the same shuffle and take the first 4 of each class.
    const expected = (["yes", "no", "maybe"] as const).flatMap((label) => shuffled.filter((e) => e.label === label).slice(0, 4))
    const picked = fewShot(examples, 4, 7, byLabel)
    expect(picked.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort())
    expect(picked.map((e) => e.id)).toEqual(shuffled.filter((e) => expected.includes(e)).map((e) => e.id))
  })

  it("gives a class with fewer than N all of its examples", () => {
    const counts = (xs: ReadonlyArray<ClassificationExample>) => Object.fromEntries(["yes", "no", "maybe"].map((l) => [l, xs.filter((e) => e.label === l).length]))
    expect(counts(fewShot(examples, 5, 1, byLabel))).toEqual({ yes: 5, no: 5, maybe: 3 })
    expect(fewShot(examples, 0, 1, byLabel)).toEqual([])
  })

  it("is deterministic for a seed, differs across seeds, and rejects a bad N", () => {
    const ids = (seed: number) => fewShot(examples, 2, seed, byLabel).map((e) => e.id)
    expect(ids(3)).toEqual(ids(3))
    expect(ids(3)).not.toEqual(ids(4))
    expect(() => fewShot(examples, -1, 0, byLabel)).toThrow(RangeError)
  })
})

import { describe, expect, it } from "vitest"
import { byLabel, kFold, type ClassificationExample } from "../../src/index.ts"

const make = (counts: Record<string, number>): Array<ClassificationExample> =>
  Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, question: "q", context: "c", label })))

const ids = (xs: ReadonlyArray<ClassificationExample>) => xs.map((e) => e.id)
const examples = make({ yes: 11, no: 7 })

describe("kFold", () => {
  it("puts every example in exactly one test fold, the rest in that fold's train", () => {
    const folds = kFold(examples, 4, 1, byLabel)
    expect(folds).toHaveLength(4)
    expect(ids(folds.flatMap((f) => f.test)).sort()).toEqual(ids(examples).sort())
    for (const { train, test } of folds) {
      expect([...ids(train), ...ids(test)].sort()).toEqual(ids(examples).sort())
      expect(ids(train).filter((id) => ids(test).includes(id))).toEqual([])
    }
  })

  it("stratified: fold sizes and each label's counts differ by at most one across folds", () => {
    const folds = kFold(examples, 4, 1, byLabel)
    // 18 examples in 4 folds: sizes 5, 5, 4, 4 in some order; yes 11 -> 3,3,3,2; no 7 -> 2,2,2,1.
    expect(folds.map((f) => f.test.length).sort()).toEqual([4, 4, 5, 5])
    expect(folds.map((f) => f.test.filter((e) => e.label === "yes").length).sort()).toEqual([2, 3, 3, 3])
    expect(folds.map((f) => f.test.filter((e) => e.label === "no").length).sort()).toEqual([1, 2, 2, 2])
  })

  it("unstratified: sizes still differ by at most one", () => {
    expect(kFold(examples, 5, 2).map((f) => f.test.length).sort()).toEqual([3, 3, 4, 4, 4])
  })

  it("is deterministic for a seed, differs across seeds, and rejects a bad k", () => {
    expect(kFold(examples, 3, 9, byLabel)).toEqual(kFold(examples, 3, 9, byLabel))
    expect(ids(kFold(examples, 3, 9, byLabel)[0]!.test)).not.toEqual(ids(kFold(examples, 3, 10, byLabel)[0]!.test))
    expect(() => kFold(examples, 1, 0)).toThrow(RangeError)
    expect(() => kFold(examples, 19, 0)).toThrow(RangeError)
    expect(() => kFold(examples, 2.5, 0)).toThrow(RangeError)
  })
})

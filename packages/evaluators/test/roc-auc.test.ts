import { describe, expect, it } from "vitest"
import { MetricInputError, rocAuc, rocAucOneVsRest } from "../src/index.ts"

describe("rocAuc", () => {
  it("matches scikit-learn's roc_auc_score docstring example (0.75; scikit-learn 0.20 and earlier)", () => {
    // y_true [0,0,1,1], y_scores [0.1,0.4,0.35,0.8].
    expect(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12)
  })

  it("counts ties half", () => {
    // positives 0.5, 0.5; negatives 0.5, 0.1: each positive ties one negative (½) and beats one (1) → 3/4.
    expect(rocAuc([true, true, false, false], [0.5, 0.5, 0.5, 0.1])).toBeCloseTo(0.75, 12)
    expect(rocAuc([true, false], [1, 1])).toBeCloseTo(0.5, 12)
    expect(rocAuc([true, false, true], [3, 1, 2])).toBe(1)
    expect(rocAuc([true, false, true], [-3, -1, -2])).toBe(0)
  })

  it("equals the pairwise Mann-Whitney count on random scores with ties", () => {
    // Independent O(n²) reference: P(score⁺ > score⁻) + ½·P(score⁺ = score⁻) over all pairs.
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const positive = Array.from({ length: 200 }, () => next() < 0.3)
    const scores = positive.map((p) => Math.round((next() + (p ? 0.3 : 0)) * 20) / 20)
    let wins = 0
    let pairs = 0
    positive.forEach((p, i) => {
      if (!p) return
      positive.forEach((q, j) => {
        if (q) return
        pairs++
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0
      })
    })
    expect(rocAuc(positive, scores)).toBeCloseTo(wins / pairs, 12)
  })

  it("rejects one-class gold, unequal lengths and non-finite scores", () => {
    expect(() => rocAuc([true, true], [0.1, 0.2])).toThrow(/needs both classes, got 2 positive and 0 negative/)
    expect(() => rocAuc([true, false], [0.1])).toThrow(MetricInputError)
    expect(() => rocAuc([true, false], [0.1, Number.NaN])).toThrow(/index 1: expected a finite score/)
  })
})

describe("rocAucOneVsRest", () => {
  it("averages each label's AUC against the rest (hand-worked three-class example)", () => {
    const gold = ["a", "a", "b", "b", "c", "c"]
    const scores = [
      [0.8, 0.1, 0.1],
      [0.4, 0.5, 0.1],
      [0.3, 0.6, 0.1],
      [0.5, 0.2, 0.3],
      [0.1, 0.2, 0.7],
      [0.2, 0.2, 0.6],
    ]
    // a: positives 0.8, 0.4 vs negatives 0.3, 0.5, 0.1, 0.2 → 4 + 3 wins of 8 → 7/8.
    // b: positives 0.6, 0.2 vs 0.1, 0.5, 0.2, 0.2 → 4 + (1 + ½ + ½) of 8 → 6/8.
    // c: positives 0.7, 0.6 vs 0.1, 0.1, 0.1, 0.3 → 8/8.
    const auc = rocAucOneVsRest(gold, scores, ["a", "b", "c"])
    expect(auc.perClass).toEqual({ a: 7 / 8, b: 6 / 8, c: 1 })
    expect(auc.macro).toBeCloseTo((7 / 8 + 6 / 8 + 1) / 3, 12)
  })

  it("rejects rows of the wrong width, unknown gold labels and a label without examples", () => {
    expect(() => rocAucOneVsRest(["a", "b"], [[1, 0], [0]], ["a", "b"])).toThrow(/row 1: expected 2 scores, got 1/)
    expect(() => rocAucOneVsRest(["a", "z"], [[1, 0], [0, 1]], ["a", "b"])).toThrow(/index 1: "z"/)
    expect(() => rocAucOneVsRest(["a", "a"], [[1, 0], [0, 1]], ["a", "b"])).toThrow(/needs both classes/)
  })
})

import { describe, expect, it } from "vitest"
import { classificationMetrics, confusionMatrix, MetricInputError, normaliseAnswer } from "../src/index.ts"

describe("classificationMetrics", () => {
  it("matches a hand-worked binary example", () => {
    // gold yes,yes,yes,no,no vs pred yes,no,yes,no,yes → confusion [[2,1],[1,1]].
    // yes: tp 2, predicted 3, support 3 → P = R = 2/3, F1 = 4/6. no: tp 1, predicted 2, support 2 → 1/2.
    // accuracy (2+1)/5 = 0.6, macro-F1 (2/3 + 1/2)/2 = 7/12.
    const m = classificationMetrics(["yes", "yes", "yes", "no", "no"], ["yes", "no", "yes", "no", "yes"], ["yes", "no"])
    expect(m.n).toBe(5)
    expect(m.confusion).toEqual([[2, 1], [1, 1]])
    expect(m.accuracy).toBeCloseTo(0.6, 12)
    expect(m.perClass.yes).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 4 / 6, support: 3 })
    expect(m.perClass.no).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })
    expect(m.macroF1).toBeCloseTo(7 / 12, 12)
    expect(m.labels).toEqual(["yes", "no"])
  })

  it("scores undefined precision, recall and F1 as 0 and still averages over every label", () => {
    // gold yes,no,no vs pred yes,yes,yes. yes: tp 1, predicted 3, support 1 → P 1/3, R 1, F1 2/(3+1) = 0.5.
    // no: never predicted → P 0 (0/0), R 0/2 = 0, F1 0. maybe: no support, never predicted → all 0.
    // macro-F1 = (0.5 + 0 + 0)/3 = 1/6, accuracy 1/3.
    const m = classificationMetrics(["yes", "no", "no"], ["yes", "yes", "yes"], ["yes", "no", "maybe"])
    expect(m.perClass.yes).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5, support: 1 })
    expect(m.perClass.no).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 })
    expect(m.perClass.maybe).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 })
    expect(m.macroF1).toBeCloseTo(1 / 6, 12)
    expect(m.accuracy).toBeCloseTo(1 / 3, 12)
  })

  it("agrees with scikit-learn's formulas on a three-class example", () => {
    // Expected values from a numpy re-implementation of sklearn.metrics.precision_recall_fscore_support
    // (zero_division default → 0) and accuracy_score on these lists; tolerance 1e-12.
    const gold = "yes yes yes yes no no no maybe maybe maybe maybe yes".split(" ")
    const pred = "yes no yes yes no yes no no yes no yes yes".split(" ")
    const m = classificationMetrics(gold, pred, ["yes", "no", "maybe"])
    expect(m.confusion).toEqual([[4, 1, 0], [1, 2, 0], [2, 2, 0]])
    expect(m.accuracy).toBeCloseTo(0.5, 12)
    const expected = {
      yes: [0.5714285714285714, 0.8, 0.6666666666666666, 5],
      no: [0.4, 0.6666666666666666, 0.5, 3],
      maybe: [0, 0, 0, 4],
    } as const
    for (const [label, [precision, recall, f1, support]] of Object.entries(expected)) {
      const scores = m.perClass[label]!
      expect(scores.precision).toBeCloseTo(precision, 12)
      expect(scores.recall).toBeCloseTo(recall, 12)
      expect(scores.f1).toBeCloseTo(f1, 12)
      expect(scores.support).toBe(support)
    }
    expect(m.macroF1).toBeCloseTo(0.38888888888888884, 12)
  })

  it("rejects unequal lengths, empty input and labels outside the label set", () => {
    const fails = (f: () => unknown, detail: RegExp) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(MetricInputError)
        expect((e as MetricInputError).detail).toMatch(detail)
        return
      }
      throw new Error("expected a MetricInputError")
    }
    fails(() => classificationMetrics(["yes", "no"], ["yes"], ["yes", "no"]), /one prediction per gold label \(2\), got 1/)
    fails(() => classificationMetrics([], [], ["yes", "no"]), /no examples/)
    fails(() => classificationMetrics(["yes", "maybe"], ["yes", "no"], ["yes", "no"]), /index 1: "maybe" is not one of "yes", "no"/)
    fails(() => confusionMatrix(["yes"], ["Yes"], ["yes", "no"]), /index 0: "Yes"/)
    fails(() => confusionMatrix(["yes"], ["yes"], ["yes", "yes"]), /distinct/)
  })
})

describe("normaliseAnswer", () => {
  const labels = ["yes", "no"]
  it.each([
    ["Yes.", "yes"],
    [" no,", "no"],
    ["YES it does", "yes"],
    ["\n  No", "no"],
    ["maybe", undefined],
    ["...", undefined],
    ["", undefined],
    ["yesterday", undefined],
  ])("reads %j as %j", (text, expected) => {
    expect(normaliseAnswer(text, labels)).toBe(expected)
  })

  it("matches a label by its verbalizer's first word too", () => {
    expect(normaliseAnswer("Positive finding", ["pos", "neg"], { pos: " positive", neg: " negative" })).toBe("pos")
  })
})

describe("predictions outside the labels (generated answers)", () => {
  it("are an error by default, and with unknownPredictions 'wrong' count as misses of their gold class only", () => {
    const gold = ["yes", "yes", "no", "no"]
    const pred = ["yes", "(none)", "no", "yes"]
    expect(() => classificationMetrics(gold, pred, ["yes", "no"])).toThrow(/is not one of/)
    const m = classificationMetrics(gold, pred, ["yes", "no"], { unknownPredictions: "wrong" })
    expect(m.accuracy).toBe(0.5)
    // yes: tp 1, predicted 2, support 2 -> F1 = 2/(2+2); no: tp 1, predicted 1, support 2 -> F1 = 2/3.
    expect(m.perClass["yes"]!.f1).toBeCloseTo(0.5, 12)
    expect(m.perClass["no"]!.f1).toBeCloseTo(2 / 3, 12)
    expect(m.perClass["yes"]!.support).toBe(2)
    expect(m.confusion).toEqual([[1, 0], [1, 1]])
  })
})

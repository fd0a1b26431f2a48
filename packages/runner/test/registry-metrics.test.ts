import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { builtinRegistry, extraMetricNames, extraMetrics, type MetricInput } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

// Five test examples, worked by hand below. scores: the predicted label's probability.
const input: MetricInput = {
  gold: ["yes", "yes", "yes", "no", "no"],
  pred: ["yes", "no", "yes", "no", "yes"],
  labels: ["yes", "no"],
  scores: [0.9, 0.6, 0.7, 0.8, 0.55],
}

const metric = (name: string) => builtinRegistry().get("metrics", name)

describe("built-in metrics", () => {
  it("compute accuracy, macro-F1 and balanced accuracy from gold and predicted labels", () => {
    // 3 of 5 right. yes: tp 2, 3 predicted, 3 gold → F1 2/3; no: tp 1, 2 predicted, 2 gold → F1 1/2.
    expect(metric("accuracy").compute(input)).toBeCloseTo(3 / 5, 12)
    expect(metric("macro_f1").compute(input)).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12)
    // Recall yes 2/3, recall no 1/2.
    expect(metric("balanced_accuracy").compute(input)).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12)
  })

  it("count a generated answer that names no label as wrong", () => {
    const unparsed = { ...input, pred: ["(unparsed)", "no", "yes", "no", "yes"] }
    expect(metric("accuracy").compute(unparsed)).toBeCloseTo(2 / 5, 12)
    // Recall yes 1/3, recall no 1/2.
    expect(metric("balanced_accuracy").compute(unparsed)).toBeCloseTo((1 / 3 + 1 / 2) / 2, 12)
  })

  it("compute ROC-AUC for the first label and the expected calibration error from the scores", () => {
    // P(yes) = 0.9, 1 − 0.6, 0.7, 1 − 0.8, 0.55; positives {0.9, 0.4, 0.7} against negatives
    // {0.2, 0.55}: 5 of the 6 pairs are ordered right (0.4 < 0.55 is not).
    expect(metric("roc_auc").compute(input)).toBeCloseTo(5 / 6, 12)
    // Bins of width 0.1: (0.5, 0.6] holds 0.6 and 0.55, both wrong: 2/5 · |0 − 0.575|; the
    // others one right prediction each: (1 − 0.9 + 1 − 0.7 + 1 − 0.8) / 5.
    expect(metric("ece").compute(input)).toBeCloseTo((2 / 5) * 0.575 + (0.1 + 0.3 + 0.2) / 5, 12)
  })

  it("refuse to score without label scores, or ROC-AUC with other than two labels", () => {
    const { scores: _scores, ...unscored } = input
    expect(metric("roc_auc").needsScores).toBe(true)
    expect(metric("ece").needsScores).toBe(true)
    expect(metric("balanced_accuracy").needsScores).toBeUndefined()
    expect(() => metric("ece").compute(unscored)).toThrow("ece: needs label scores, which evaluation.mode generate does not give")
    expect(() => metric("roc_auc").compute({ ...input, labels: ["yes", "no", "maybe"] })).toThrow("roc_auc: needs exactly two labels, got 3")
  })
})

describe("extraMetrics", () => {
  it("computes the listed metrics beyond the standard results columns, by registry name", async () => {
    const loaded = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[accuracy, per_class_f1, balanced_accuracy, latency, roc_auc]"))
    expect(extraMetricNames(loaded.spec)).toStrictEqual(["balanced_accuracy", "roc_auc"])
    const values = await Effect.runPromise(extraMetrics(loaded.spec, builtinRegistry(), input))
    expect(Object.keys(values)).toStrictEqual(["balanced_accuracy", "roc_auc"])
    expect(values["balanced_accuracy"]).toBeCloseTo(7 / 12, 12)
    expect(values["roc_auc"]).toBeCloseTo(5 / 6, 12)
  })

  it("fails with a metric's input error, and dies on anything else it throws", async () => {
    const loaded = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[ece]"))
    const { scores: _scores, ...unscored } = input
    const failed = await Effect.runPromise(Effect.flip(extraMetrics(loaded.spec, builtinRegistry(), unscored)))
    expect(failed._tag).toBe("MetricInputError")
    const registry = builtinRegistry()
    registry.add("metrics", { name: "broken", compute: () => { throw new TypeError("bug") } })
    const broken = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[broken]"))
    const exit = await Effect.runPromiseExit(extraMetrics(broken.spec, registry, input))
    expect(Exit.isFailure(exit) && Exit.hasDies(exit)).toBe(true)
  })
})

import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { Registry, type MetricInput, type PeftlabRegistry } from "@peftlab/plugin-api"
import { builtinRegistry, extraMetricNames, extraMetrics } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

// Five test examples, worked by hand below. scores: the predicted label's probability.
const input: MetricInput = {
  gold: ["yes", "yes", "yes", "no", "no"],
  pred: ["yes", "no", "yes", "no", "yes"],
  labels: ["yes", "no"],
  scores: [0.9, 0.6, 0.7, 0.8, 0.55],
}

const metric = (name: string) => builtinRegistry().get("metrics", name)
/** The metric's value on `on`. */
const value = (name: string, on: MetricInput) => Effect.runPromise(metric(name).compute(on))
/** Why the metric refuses `on`. */
const refusal = (name: string, on: MetricInput) => Effect.runPromise(Effect.flip(metric(name).compute(on)))
const withRegistry = (registry: PeftlabRegistry) => Effect.provideService(Registry, registry)

describe("built-in metrics", () => {
  it("compute accuracy, macro-F1 and balanced accuracy from gold and predicted labels", async () => {
    // 3 of 5 right. yes: tp 2, 3 predicted, 3 gold → F1 2/3; no: tp 1, 2 predicted, 2 gold → F1 1/2.
    expect(await value("accuracy", input)).toBeCloseTo(3 / 5, 12)
    expect(await value("macro_f1", input)).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12)
    // Recall yes 2/3, recall no 1/2.
    expect(await value("balanced_accuracy", input)).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12)
  })

  it("count a generated answer that names no label as wrong", async () => {
    const unparsed = { ...input, pred: ["(unparsed)", "no", "yes", "no", "yes"] }
    expect(await value("accuracy", unparsed)).toBeCloseTo(2 / 5, 12)
    // Recall yes 1/3, recall no 1/2.
    expect(await value("balanced_accuracy", unparsed)).toBeCloseTo((1 / 3 + 1 / 2) / 2, 12)
  })

  it("compute ROC-AUC for the first label and the expected calibration error from the scores", async () => {
    // P(yes) = 0.9, 1 − 0.6, 0.7, 1 − 0.8, 0.55; positives {0.9, 0.4, 0.7} against negatives
    // {0.2, 0.55}: 5 of the 6 pairs are ordered right (0.4 < 0.55 is not).
    expect(await value("roc_auc", input)).toBeCloseTo(5 / 6, 12)
    // Bins of width 0.1: (0.5, 0.6] holds 0.6 and 0.55, both wrong: 2/5 · |0 − 0.575|; the
    // others one right prediction each: (1 − 0.9 + 1 − 0.7 + 1 − 0.8) / 5.
    expect(await value("ece", input)).toBeCloseTo((2 / 5) * 0.575 + (0.1 + 0.3 + 0.2) / 5, 12)
  })

  it("refuse to score without label scores, or ROC-AUC with other than two labels", async () => {
    const { scores: _scores, ...unscored } = input
    expect(metric("roc_auc").needsScores).toBe(true)
    expect(metric("ece").needsScores).toBe(true)
    expect(metric("balanced_accuracy").needsScores).toBeUndefined()
    const unscoredEce = await refusal("ece", unscored)
    expect(unscoredEce._tag).toBe("MetricInputError")
    expect(unscoredEce.message).toContain("ece: needs label scores, which evaluation.mode generate does not give")
    const threeLabels = await refusal("roc_auc", { ...input, labels: ["yes", "no", "maybe"] })
    expect(threeLabels._tag).toBe("MetricInputError")
    expect(threeLabels.message).toContain("roc_auc: needs exactly two labels, got 3")
  })
})

describe("extraMetrics", () => {
  it("computes the listed metrics beyond the standard results columns, by registry name", async () => {
    const loaded = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[accuracy, per_class_f1, balanced_accuracy, latency, roc_auc]"))
    expect(extraMetricNames(loaded.spec)).toStrictEqual(["balanced_accuracy", "roc_auc"])
    const values = await Effect.runPromise(extraMetrics(loaded.spec, input).pipe(withRegistry(builtinRegistry())))
    expect(Object.keys(values)).toStrictEqual(["balanced_accuracy", "roc_auc"])
    expect(values["balanced_accuracy"]).toBeCloseTo(7 / 12, 12)
    expect(values["roc_auc"]).toBeCloseTo(5 / 6, 12)
  })

  it("fails with a metric's input error, and dies on anything else it throws", async () => {
    const loaded = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[ece]"))
    const { scores: _scores, ...unscored } = input
    const failed = await Effect.runPromise(Effect.flip(extraMetrics(loaded.spec, unscored).pipe(withRegistry(builtinRegistry()))))
    expect(failed._tag).toBe("MetricInputError")
    const registry = builtinRegistry()
    registry.add("metrics", { name: "broken", compute: () => { throw new TypeError("bug") } })
    const broken = await decodeSmall(edit(smallSpec, "[accuracy, macro_f1]", "[broken]"))
    const exit = await Effect.runPromiseExit(extraMetrics(broken.spec, input).pipe(withRegistry(registry)))
    expect(Exit.isFailure(exit) && Exit.hasDies(exit)).toBe(true)
  })
})

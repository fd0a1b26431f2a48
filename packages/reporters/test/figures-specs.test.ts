import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import {
  classificationIntervals,
  confusionCells,
  confusionSpec,
  efficiencySpec,
  figureSpecs,
  generationIntervals,
  generationMetricsSpec,
  latencySpec,
  lengthDistributionSpec,
  NO_LABEL,
  performanceSpec,
  trainingCurvesSpec,
} from "../src/index.ts"
import { labels, study } from "./figures-fixtures.ts"

// The specs are plain JSON; tests look into them by path.
const json = (spec: unknown): any => JSON.parse(JSON.stringify(spec))

/** A percentile bootstrap written out here, independently of @peftlab/stats: the same seeded draws, its own scoring and percentiles. */
const referenceInterval = (n: number, score: (indices: number[]) => number, B: number, seed: number) => {
  const rng = Rng.seeded(seed)
  const scores = Array.from({ length: B }, () => score(Array.from({ length: n }, () => rng.int(n)))).sort((a, b) => a - b)
  const percentile = (q: number) => {
    const h = (B - 1) * q
    const lo = Math.floor(h)
    return scores[lo]! + (h - lo) * (scores[Math.min(lo + 1, B - 1)]! - scores[lo]!)
  }
  return { value: score(Array.from({ length: n }, (_, i) => i)), lo: percentile(0.025), hi: percentile(0.975) }
}

/** Macro-F1 from tp/fp/fn counts; an answer outside the labels is a miss for its gold label only. */
const referenceMacroF1 = (gold: string[], pred: string[]) =>
  labels.reduce((sum, label) => {
    const tp = gold.filter((g, i) => g === label && pred[i] === label).length
    const fp = pred.filter((p, i) => p === label && gold[i] !== label).length
    const fn = gold.filter((g, i) => g === label && pred[i] !== label).length
    return sum + (tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn))
  }, 0) / labels.length

const { B, seed } = study.bootstrap!

describe("figure data", () => {
  it("classificationIntervals: each arm's macro-F1 and accuracy with the CI of an independent percentile bootstrap", () => {
    const rows = classificationIntervals(study.arms, labels, { B, seed })
    expect(rows.map((r) => `${r.arm}/${r.metric}`)).toEqual(study.arms.flatMap((a) => [`${a.result.arm}/macro-F1`, `${a.result.arm}/accuracy`]))
    for (const { result, predictions } of study.arms) {
      const gold = predictions.map((p) => p.gold)
      const pred = predictions.map((p) => p.pred)
      const f1 = referenceInterval(gold.length, (ix) => referenceMacroF1(ix.map((i) => gold[i]!), ix.map((i) => pred[i]!)), B, seed)
      const accuracy = referenceInterval(gold.length, (ix) => ix.filter((i) => gold[i] === pred[i]).length / ix.length, B, seed)
      const row = (metric: string) => rows.find((r) => r.arm === result.arm && r.metric === metric)!
      for (const [metric, reference, reported] of [["macro-F1", f1, result.macroF1], ["accuracy", accuracy, result.accuracy]] as const) {
        expect(row(metric).value).toBeCloseTo(reference.value, 12)
        expect(row(metric).value).toBeCloseTo(reported, 12)
        expect(row(metric).lo).toBeCloseTo(reference.lo, 12)
        expect(row(metric).hi).toBeCloseTo(reference.hi, 12)
        expect(row(metric).lo).toBeLessThan(row(metric).value)
        expect(row(metric).hi).toBeGreaterThan(row(metric).value)
      }
    }
  })

  it("generationIntervals: the mean of each metric's per-example scores with an independent bootstrap CI", () => {
    const rows = generationIntervals(study.generation!.arms, { B, seed })
    expect(rows).toHaveLength(4)
    for (const { arm, scores } of study.generation!.arms) {
      for (const [metric, values] of Object.entries(scores)) {
        const reference = referenceInterval(values.length, (ix) => ix.reduce((s, i) => s + values[i]!, 0) / ix.length, B, seed)
        const row = rows.find((r) => r.arm === arm && r.metric === metric)!
        expect(row.value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12)
        expect(row.lo).toBeCloseTo(reference.lo, 12)
        expect(row.hi).toBeCloseTo(reference.hi, 12)
      }
    }
  })

  it("confusionCells: a NO_LABEL column for answers naming no label, shares of each gold label's examples", () => {
    // Gold a: 5 examples, 3 → a, 1 → b, so 1 named no label; gold b: 4 examples, all in the matrix.
    const cells = confusionCells(["a", "b"], [[3, 1], [0, 4]], [5, 4])
    expect(cells).toEqual([
      { gold: "a", pred: "a", count: 3, share: 0.6 },
      { gold: "a", pred: "b", count: 1, share: 0.2 },
      { gold: "a", pred: NO_LABEL, count: 1, share: 0.2 },
      { gold: "b", pred: "a", count: 0, share: 0 },
      { gold: "b", pred: "b", count: 4, share: 1 },
      { gold: "b", pred: NO_LABEL, count: 0, share: 0 },
    ])
    // Without support the rows are their own totals: no extra column, and an empty row has shares 0.
    expect(confusionCells(["a", "b"], [[1, 3], [0, 0]]).map((c) => c.share)).toEqual([0.25, 0.75, 0, 0])
    expect(() => confusionCells(["a", "b"], [[1, 2, 3], [0, 0, 0]])).toThrow(/2×2/)
  })
})

describe("spec builders", () => {
  it("performanceSpec and generationMetricsSpec carry the interval rows, bars on value and error bars from lo to hi", () => {
    const rows = classificationIntervals(study.arms, labels, { B, seed })
    const spec = json(performanceSpec(rows, B))
    expect(spec.data.values).toEqual(rows)
    expect(spec.facet.column.field).toBe("metric")
    expect(spec.spec.layer[0].encoding.y.field).toBe("value")
    expect(spec.spec.layer[0].encoding.y.scale.domain).toEqual([0, 1])
    expect([spec.spec.layer[1].encoding.y.field, spec.spec.layer[1].encoding.y2.field]).toEqual(["lo", "hi"])
    expect(spec.title.subtitle.join(" ")).toContain(`B = ${B}`)
    const generation = json(generationMetricsSpec(generationIntervals(study.generation!.arms, { B, seed }), B))
    // BLEU and ROUGE-L live on different scales: each metric panel gets its own y axis.
    expect(generation.resolve.scale.y).toBe("independent")
  })

  it("latencySpec: one mean and one p95 bar per arm", () => {
    const spec = json(latencySpec(study.arms.map((a) => a.result)))
    expect(spec.data.values).toEqual(
      study.arms.flatMap(({ result }) => [
        { arm: result.arm, statistic: "mean", ms: result.latencyMeanMs },
        { arm: result.arm, statistic: "p95", ms: result.latencyP95Ms },
      ]),
    )
  })

  it("efficiencySpec: parameters, seconds of training (0 untrained) and macro-F1 per arm; decade ticks past the largest count", () => {
    const spec = json(efficiencySpec(study.arms))
    expect(spec.data.values).toEqual([
      { arm: "zero-shot", trainableParams: 0, trainSeconds: 0, macroF1: study.arms[0]!.result.macroF1 },
      { arm: "prompt", trainableParams: 8192, trainSeconds: 42, macroF1: study.arms[1]!.result.macroF1 },
      { arm: "lora", trainableParams: 294_912, trainSeconds: 95.5, macroF1: study.arms[2]!.result.macroF1 },
    ])
    expect(spec.hconcat[0].encoding.x.scale.type).toBe("symlog")
    expect(spec.hconcat[0].encoding.x.axis.values).toEqual([0, 1, 10, 100, 1e3, 1e4, 1e5, 1e6])
  })

  it("trainingCurvesSpec: train and validation loss and the validation metric per epoch, trained arms only", () => {
    const spec = json(trainingCurvesSpec(study.arms))
    const [loss, metric] = spec.hconcat
    const lora = study.arms[2]!.training!.epochs
    expect(loss.data.values.filter((v: { arm: string }) => v.arm === "lora")).toEqual(
      lora.flatMap((e) => [
        { arm: "lora", epoch: e.epoch, split: "train", loss: e.trainLoss },
        { arm: "lora", epoch: e.epoch, split: "validation", loss: e.validation.loss },
      ]),
    )
    expect(metric.data.values.filter((v: { arm: string }) => v.arm === "lora").map((v: { value: number }) => v.value)).toEqual([0.45, 0.6, 0.71, 0.7])
    expect(new Set([...loss.data.values, ...metric.data.values].map((v: { arm: string }) => v.arm))).toEqual(new Set(["prompt", "lora"]))
    expect(metric.encoding.y.title).toBe("validation macro_f1")
    // Colours follow every arm of the study, so "lora" has the same colour as in the other figures.
    expect(loss.encoding.color.scale.domain).toEqual(["zero-shot", "prompt", "lora"])
  })

  it("confusionSpec: the cells of the arm's matrix, support from the gold labels", () => {
    const zeroShot = study.arms[0]!
    const support = labels.map((l) => zeroShot.predictions.filter((p) => p.gold === l).length)
    const spec = json(confusionSpec("zero-shot", labels, zeroShot.confusion, support))
    expect(spec.data.values).toEqual(confusionCells(labels, zeroShot.confusion, support))
    expect(spec.title.text).toBe("Confusion matrix: zero-shot")
    // The fixture's zero-shot arm answers "unsure" on every fourth example.
    expect(spec.data.values.filter((c: { pred: string }) => c.pred === NO_LABEL).map((c: { count: number }) => c.count)).toEqual([3, 3, 3])
  })

  it("lengthDistributionSpec: one row per generated answer; bins from the shortest to one past the longest", () => {
    const spec = json(lengthDistributionSpec(study.generation!.arms, "words"))
    expect(spec.data.values).toEqual(study.generation!.arms.flatMap(({ arm, lengths }) => lengths.map((length) => ({ arm, length }))))
    expect(spec.encoding.x.bin.extent).toEqual([5, 21])
    expect(spec.encoding.x.title).toBe("generated length (words)")
  })

  it("every bar, point and heatmap cell of every figure has a tooltip", () => {
    /** Every unit spec under `spec` with the encoding it inherits from enclosing layers. */
    const units = (spec: any, inherited: object = {}): Array<{ mark: string; encoding: any }> => {
      const encoding = { ...inherited, ...spec.encoding }
      const children = spec.layer ?? spec.hconcat ?? spec.vconcat ?? (spec.spec ? [spec.spec] : undefined)
      if (children) return children.flatMap((child: unknown) => units(child, spec.layer ? encoding : {}))
      return [{ mark: typeof spec.mark === "string" ? spec.mark : spec.mark.type, encoding }]
    }
    for (const { name, spec } of figureSpecs(study)) {
      const marked = units(json(spec)).filter(({ mark }) => ["bar", "point", "rect"].includes(mark))
      expect(marked.length, name).toBeGreaterThan(0)
      for (const { mark, encoding } of marked) expect(encoding.tooltip, `${name}: ${mark}`).toBeDefined()
    }
  })

  it("trainingCurvesSpec: clicking an arm in the legend fades the other arms in both panels", () => {
    const [loss, metric] = json(trainingCurvesSpec(study.arms)).hconcat
    expect(loss.layer[0].params).toEqual([{ name: "arms", select: { type: "point", fields: ["arm"] }, bind: "legend" }])
    for (const panel of [loss, metric]) expect(panel.encoding.opacity).toEqual({ condition: { param: "arms", value: 1 }, value: 0.15 })
  })

  it("figureSpecs names the figures the input supports", () => {
    const names = (input: Parameters<typeof figureSpecs>[0]) => figureSpecs(input).map((f) => f.name)
    expect(names(study)).toEqual([
      "performance", "latency", "efficiency", "training_curves",
      "confusion_zero-shot", "confusion_prompt", "confusion_lora", "generation_metrics", "generation_lengths",
    ])
    // No trained arm, no generation: no curves, no generation figures.
    expect(names({ labels, arms: [study.arms[0]!] })).toEqual(["performance", "latency", "efficiency", "confusion_zero-shot"])
    expect(names({ labels: [], arms: [], generation: study.generation! })).toEqual(["generation_metrics", "generation_lengths"])
    const badName = { ...study.arms[0]!, result: { ...study.arms[0]!.result, arm: "../x" } }
    expect(() => figureSpecs({ labels, arms: [badName] })).toThrow(/cannot name a file/)
  })
})

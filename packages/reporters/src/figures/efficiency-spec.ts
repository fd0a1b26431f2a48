import type { TopLevelSpec } from "vega-lite"
import { armColor, figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"
import type { FigureArm } from "./figures-input.ts"

/** 0 and the powers of ten up to the first at or above `max`: log-like ticks on a symlog axis. */
const decadeTicks = (max: number): number[] => {
  const top = Math.ceil(Math.log10(Math.max(max, 10)))
  return [0, ...Array.from({ length: top + 1 }, (_, k) => 10 ** k)]
}

/**
 * What each arm's macro-F1 cost: trainable parameters (symmetric log scale, so the frozen
 * baseline's 0 still has a place) and training time, two scatters sharing the F1 axis.
 */
export const efficiencySpec = (arms: ReadonlyArray<FigureArm>): TopLevelSpec => {
  const values = arms.map(({ result, training }) => ({
    arm: result.arm,
    trainableParams: result.trainableParams,
    trainSeconds: (training?.trainMs ?? 0) / 1000,
    macroF1: result.macroF1,
  }))
  const names = values.map((v) => v.arm)
  const color = armColor(names, names)
  const y = { field: "macroF1", type: "quantitative" as const, title: "macro-F1", scale: { zero: false } }
  const ticks = decadeTicks(Math.max(...values.map((v) => v.trainableParams)))
  // On the points and on their labels, so hovering the name shows the numbers too.
  const tooltip = [
    { field: "arm", title: "arm" },
    { field: "macroF1", type: "quantitative" as const, title: "macro-F1", format: ".4f" },
    { field: "trainableParams", type: "quantitative" as const, title: "trainable parameters", format: "," },
    { field: "trainSeconds", type: "quantitative" as const, title: "training time (s)", format: ".1f" },
  ]
  const scatter = (field: string, title: string, scale: object, axis: object) => ({
    width: 280,
    height: 240,
    encoding: { x: { field, type: "quantitative" as const, title, scale, axis }, y, tooltip },
    layer: [
      { mark: { type: "point" as const, filled: true, size: 90 }, encoding: { color } },
      { mark: { type: "text" as const, align: "left" as const, dx: 7, fontSize: 10 }, encoding: { text: { field: "arm" } } },
    ],
  })
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle("Efficiency", "macro-F1 against trainable parameters and training time"),
    data: { values },
    hconcat: [
      scatter("trainableParams", "trainable parameters (symlog scale)", { type: "symlog", domain: [0, ticks.at(-1)] }, { values: ticks, labelExpr: "format(datum.value, '~s')" }),
      scatter("trainSeconds", "training time (s)", { zero: true }, {}),
    ],
    resolve: { scale: { y: "shared" } },
  }
}

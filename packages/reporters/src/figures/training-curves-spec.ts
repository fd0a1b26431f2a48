import type { TopLevelSpec } from "vega-lite"
import { armColor, armOrder, figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"
import type { TrainedFigureArm } from "./figures-input.ts"

/** Arms that trained at least one epoch, the only ones with curves. */
export const trainedArms = (arms: ReadonlyArray<TrainedFigureArm>) =>
  arms.flatMap(({ result, training }) => (training && training.epochs.length > 0 ? [{ arm: result.arm, epochs: training.epochs }] : []))

/** Clicking an arm in the legend (shift-click for more) highlights its curves in both panels and fades the others. */
const ARM_SELECTION = "arms"
const highlighted = { condition: { param: ARM_SELECTION, value: 1 }, value: 0.15 }

/**
 * Per-epoch curves, one line per arm: train and validation loss (dashed) on the left, the
 * validation metric on the right; a tooltip on every point. Arms without training draw nothing.
 */
export const trainingCurvesSpec = (arms: ReadonlyArray<TrainedFigureArm>): TopLevelSpec => {
  const trained = trainedArms(arms)
  const loss = trained.flatMap(({ arm, epochs }) =>
    epochs.flatMap((e) => [
      { arm, epoch: e.epoch, split: "train", loss: e.trainLoss },
      ...(e.validation.loss === undefined ? [] : [{ arm, epoch: e.epoch, split: "validation", loss: e.validation.loss }]),
    ]),
  )
  const metric = trained.flatMap(({ arm, epochs }) => epochs.map((e) => ({ arm, epoch: e.epoch, metric: e.validation.metric, value: e.validation.value })))
  const metricNames = [...new Set(metric.map((m) => m.metric))].join(", ")
  const color = armColor(armOrder(arms.map((a) => a.result)), trained.map((t) => t.arm))
  const epoch = { field: "epoch", type: "quantitative" as const, title: "epoch", axis: { format: "d", tickMinStep: 1 } }
  // Points carry the tooltips: a line's tooltip could only show one of its epochs.
  const arm = { field: "arm", title: "arm" }
  const epochTip = { field: "epoch", type: "quantitative" as const, title: "epoch" }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle("Training curves", "per epoch; validation after each epoch"),
    hconcat: [
      {
        data: { values: loss },
        width: 280,
        height: 220,
        encoding: { x: epoch, y: { field: "loss", type: "quantitative", title: "loss", scale: { zero: false } }, color, opacity: highlighted },
        layer: [
          {
            params: [{ name: ARM_SELECTION, select: { type: "point", fields: ["arm"] }, bind: "legend" }],
            mark: "line",
            encoding: {
              strokeDash: {
                field: "split",
                type: "nominal",
                sort: ["train", "validation"],
                title: "loss",
                // Drawn as dashes: with points on the lines the legend would otherwise show dots.
                legend: { symbolType: "stroke", symbolStrokeColor: "black", symbolStrokeWidth: 2, symbolFillColor: "transparent" },
              },
            },
          },
          { mark: { type: "point", filled: true }, encoding: { tooltip: [arm, epochTip, { field: "split", title: "loss" }, { field: "loss", type: "quantitative", title: "loss", format: ".4f" }] } },
        ],
      },
      {
        data: { values: metric },
        width: 280,
        height: 220,
        encoding: { x: epoch, y: { field: "value", type: "quantitative", title: `validation ${metricNames}`, scale: { zero: false } }, color, opacity: highlighted },
        layer: [
          { mark: "line" },
          { mark: { type: "point", filled: true }, encoding: { tooltip: [arm, epochTip, { field: "metric", title: "metric" }, { field: "value", type: "quantitative", title: "value", format: ".4f" }] } },
        ],
      },
    ],
  }
}

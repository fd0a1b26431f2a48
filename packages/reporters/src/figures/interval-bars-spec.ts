import type { TopLevelSpec } from "vega-lite"
import type { MetricInterval } from "./arm-intervals.ts"
import { armAxis, armColor, armOrder, figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"

const ciSubtitle = (B: number) => ["error bars: 95% percentile bootstrap CI", `of each arm's score (B = ${B})`]

/**
 * One panel per metric: a bar per arm with its CI as an error bar. `unitInterval` fixes every
 * y axis to [0, 1] (scores that live there); otherwise each metric gets its own y scale.
 */
const intervalBarsSpec = (title: string, rows: ReadonlyArray<MetricInterval>, B: number, unitInterval: boolean): TopLevelSpec => {
  const arms = armOrder(rows)
  const x = armAxis(arms)
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle(title, ciSubtitle(B)),
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { column: { field: "metric", type: "nominal", sort: [...new Set(rows.map((r) => r.metric))], title: null, header: { labelFontSize: 13 } } },
    spec: {
      width: { step: 44 },
      height: 240,
      layer: [
        {
          mark: "bar",
          encoding: {
            x,
            y: { field: "value", type: "quantitative", title: "score", ...(unitInterval ? { scale: { domain: [0, 1] } } : {}) },
            color: armColor(arms, "no legend"),
            tooltip: [
              { field: "arm", title: "arm" },
              { field: "metric", title: "metric" },
              { field: "value", type: "quantitative", title: "score", format: ".4f" },
              { field: "lo", type: "quantitative", title: "95% CI low", format: ".4f" },
              { field: "hi", type: "quantitative", title: "95% CI high", format: ".4f" },
            ],
          },
        },
        // The same axis title on both layers, so Vega-Lite does not join two titles.
        { mark: { type: "errorbar", ticks: true, color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative", title: "score" }, y2: { field: "hi" } } },
      ],
    },
    ...(unitInterval ? {} : { resolve: { scale: { y: "independent" } } }),
  }
}

/** Macro-F1 and accuracy per arm with bootstrap 95% CIs (rows from `classificationIntervals`). */
export const performanceSpec = (rows: ReadonlyArray<MetricInterval>, B: number): TopLevelSpec =>
  intervalBarsSpec("Test performance", rows, B, true)

/** Strict span precision, recall and micro-F1 per arm with bootstrap 95% CIs (rows from `extractionIntervals`). */
export const extractionMetricsSpec = (rows: ReadonlyArray<MetricInterval>, B: number): TopLevelSpec =>
  intervalBarsSpec("Span extraction (strict match, micro-averaged over test sentences)", rows, B, true)

/** Each generation metric's mean per arm with bootstrap 95% CIs (rows from `generationIntervals`). */
export const generationMetricsSpec = (rows: ReadonlyArray<MetricInterval>, B: number): TopLevelSpec =>
  intervalBarsSpec("Generation metrics (mean over test examples)", rows, B, false)

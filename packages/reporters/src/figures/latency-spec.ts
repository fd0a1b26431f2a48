import type { TopLevelSpec } from "vega-lite"
import type { ArmResult } from "../results.ts"
import { armAxis, armOrder, figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"

/** Mean and 95th-percentile test latency per example, side by side for each arm. */
export const latencySpec = (results: ReadonlyArray<ArmResult>): TopLevelSpec => {
  const values = results.flatMap((r) => [
    { arm: r.arm, statistic: "mean", ms: r.latencyMeanMs },
    { arm: r.arm, statistic: "p95", ms: r.latencyP95Ms },
  ])
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle("Inference latency", "per test example, mean and 95th percentile"),
    data: { values },
    width: { step: 56 },
    height: 240,
    mark: "bar",
    encoding: {
      x: armAxis(armOrder(results)),
      xOffset: { field: "statistic", type: "nominal", sort: ["mean", "p95"] },
      y: { field: "ms", type: "quantitative", title: "latency (ms)" },
      color: { field: "statistic", type: "nominal", sort: ["mean", "p95"], title: "statistic", scale: { range: ["#4c78a8", "#f58518"] } },
      tooltip: [
        { field: "arm", title: "arm" },
        { field: "statistic", title: "statistic" },
        { field: "ms", type: "quantitative", title: "latency (ms)", format: ".2f" },
      ],
    },
  }
}

import type { TopLevelSpec } from "vega-lite"
import { armColor, armOrder, figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"
import type { GenerationArm } from "./figures-input.ts"

/** A histogram of generated lengths per arm, one row per arm on a shared length axis. */
export const lengthDistributionSpec = (arms: ReadonlyArray<GenerationArm>, unit = "tokens"): TopLevelSpec => {
  const order = armOrder(arms)
  const values = arms.flatMap(({ arm, lengths }) => lengths.map((length) => ({ arm, length })))
  // Lengths are whole numbers: bins start at the shortest and end one past the longest, so the
  // longest does not share the closed last bin with its neighbour.
  const lengths = values.map((v) => v.length)
  const extent = lengths.length === 0 ? {} : { extent: [lengths.reduce((a, b) => Math.min(a, b)), lengths.reduce((a, b) => Math.max(a, b)) + 1] as [number, number] }
  const bin = { maxbins: 30, minstep: 1, nice: false, ...extent }
  const title = `generated length (${unit})`
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle("Generated lengths", `histogram per arm, in ${unit}`),
    data: { values },
    width: 360,
    height: 70,
    mark: "bar",
    encoding: {
      x: { field: "length", type: "quantitative", bin, title, axis: { format: "d" } },
      y: { aggregate: "count", type: "quantitative", title: "answers" },
      // The same bin as x, so the tooltip names the bar's range.
      tooltip: [
        { field: "arm", title: "arm" },
        { field: "length", type: "quantitative", bin, title, format: "d" },
        { aggregate: "count", type: "quantitative", title: "answers" },
      ],
      color: armColor(order, "no legend"),
      row: { field: "arm", type: "nominal", sort: order, title: null, header: { labelAngle: 0, labelAlign: "left" } },
    },
  }
}

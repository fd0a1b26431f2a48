import type { TopLevelSpec } from "vega-lite"
import { figureTitle, VEGA_LITE_SCHEMA } from "./encodings.ts"

/** The column for generated answers that named no label: the matrix leaves them out (see confusionMatrix). */
export const NO_LABEL = "(no label)"

export interface ConfusionCell {
  readonly gold: string
  readonly pred: string
  readonly count: number
  /** count / number of test examples with this gold label (the row's recall share). */
  readonly share: number
}

/**
 * The cells of a confusion matrix, row-normalised by each gold label's example count
 * (`support`, default the row sums). When support exceeds a row's sum, the missing answers
 * named no label and get a NO_LABEL column, so every row's shares add up to 1.
 */
export const confusionCells = (
  labels: ReadonlyArray<string>,
  matrix: ReadonlyArray<ReadonlyArray<number>>,
  support: ReadonlyArray<number> = matrix.map((row) => row.reduce((a, b) => a + b, 0)),
): ConfusionCell[] => {
  if (matrix.length !== labels.length || support.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
    throw new RangeError(`confusion matrix must be ${labels.length}×${labels.length} with one support count per label`)
  }
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0))
  const unlabelled = rowSums.some((sum, i) => support[i]! > sum)
  return labels.flatMap((gold, i) => {
    const total = support[i]!
    const share = (count: number) => (total === 0 ? 0 : count / total)
    const cells = labels.map((pred, j) => ({ gold, pred, count: matrix[i]![j]!, share: share(matrix[i]![j]!) }))
    const missing = total - rowSums[i]!
    return unlabelled ? [...cells, { gold, pred: NO_LABEL, count: missing, share: share(missing) }] : cells
  })
}

/** A heatmap of `field` on a colour scale from 0 to `max`, each cell labelled with its value. */
const heatmap = (field: "count" | "share", title: string, format: string, max: number, order: { gold: string[]; pred: string[] }) => ({
  width: { step: 56 },
  height: { step: 56 },
  encoding: {
    x: { field: "pred", type: "nominal" as const, sort: order.pred, title: "predicted", axis: { labelAngle: 0, orient: "top" as const } },
    y: { field: "gold", type: "nominal" as const, sort: order.gold, title: "gold" },
    // On the cells and on their labels, which cover the cells' middle.
    tooltip: [
      { field: "gold", title: "gold" },
      { field: "pred", title: "predicted" },
      { field: "count", type: "quantitative" as const, title: "count" },
      { field: "share", type: "quantitative" as const, title: "row share", format: ".2f" },
    ],
  },
  layer: [
    { mark: { type: "rect" as const }, encoding: { color: { field, type: "quantitative" as const, title, scale: { scheme: "blues", domain: [0, max] } } } },
    {
      mark: { type: "text" as const, fontSize: 12 },
      encoding: {
        text: { field, type: "quantitative" as const, format },
        // White on the dark half of the colour scale, black on the light half.
        color: { condition: { test: `datum.${field} > ${max / 2}`, value: "white" }, value: "black" },
      },
    },
  ],
})

/** One arm's confusion matrix as two heatmaps: counts, and shares of each gold label's examples. */
export const confusionSpec = (
  arm: string,
  labels: ReadonlyArray<string>,
  matrix: ReadonlyArray<ReadonlyArray<number>>,
  support?: ReadonlyArray<number>,
): TopLevelSpec => {
  const cells = confusionCells(labels, matrix, support)
  const order = { gold: [...labels], pred: [...new Set(cells.map((c) => c.pred))] }
  const n = cells.reduce((sum, c) => sum + c.count, 0)
  // At least 1, so an all-zero matrix still has a colour scale.
  const maxCount = Math.max(1, ...cells.map((c) => c.count))
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: figureTitle(`Confusion matrix: ${arm}`, `rows: gold label, columns: prediction; n = ${n}`),
    data: { values: cells.map((c) => ({ ...c })) },
    hconcat: [heatmap("count", "count", "d", maxCount, order), heatmap("share", "row share", ".2f", 1, order)],
    resolve: { scale: { color: "independent" } },
  }
}

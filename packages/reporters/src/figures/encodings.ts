// Pieces every figure shares, so an arm has the same place and colour in all of them.

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

/** Arm names once each, in first-seen order (the order the input lists the arms). */
export const armOrder = (rows: ReadonlyArray<{ readonly arm: string }>): string[] => [...new Set(rows.map((r) => r.arm))]

/** The arm as a categorical x axis, in input order. */
export const armAxis = (arms: ReadonlyArray<string>) => ({
  field: "arm",
  type: "nominal" as const,
  sort: [...arms],
  title: "arm",
  axis: { labelAngle: -30 },
})

/**
 * The arm as colour. The domain is every arm of the study in input order, so an arm has the
 * same colour in every figure; the legend, if any, lists only `shown` (the arms drawn).
 */
export const armColor = (arms: ReadonlyArray<string>, shown: ReadonlyArray<string> | "no legend") => ({
  field: "arm",
  type: "nominal" as const,
  scale: { domain: [...arms] },
  legend: shown === "no legend" ? null : { title: "arm", values: [...shown] },
})

/** Every figure's title and subtitle, left-aligned. */
export const figureTitle = (text: string, subtitle: string | string[]) => ({ text, subtitle, anchor: "start" as const })

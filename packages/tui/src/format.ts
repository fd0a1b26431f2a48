// Text pieces shared by the Ink screen and the plain-line printer, so both show a run the same way.

/** `0:35`, `1:05`, `1:02:03`; `--:--` when the duration is not known (yet). */
export const formatDuration = (ms: number | undefined): string => {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "--:--"
  const totalSeconds = Math.round(ms / 1000)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = String(totalSeconds % 60).padStart(2, "0")
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`
}

/** Losses and metrics with four decimals: enough to see small changes between epochs. */
export const formatNumber = (x: number): string => (Number.isNaN(x) ? "nan" : x.toFixed(4))

export const formatRate = (tokensPerSecond: number): string => `${Math.round(tokensPerSecond)} tok/s`

/** A metric value: counts (parameters, examples) whole, rates and scores with 4 decimals. */
export const formatMetricValue = (value: number): string =>
  Number.isInteger(value) ? value.toLocaleString("en-US") : formatNumber(value)

export const formatMetrics = (metrics: Readonly<Record<string, number>>): string =>
  Object.entries(metrics)
    .map(([name, value]) => `${name} ${formatMetricValue(value)}`)
    .join(", ")

export const formatValidation = (validation: {
  readonly metric: string
  readonly value: number
  readonly best: boolean
  readonly loss?: number
}): string =>
  `${validation.loss !== undefined && validation.metric !== "loss" ? `loss ${formatNumber(validation.loss)}, ` : ""}` +
  `${validation.metric} ${formatNumber(validation.value)}${validation.best ? " (best)" : ""}`

export const formatEpochStep = (at: { readonly epoch: number; readonly epochs: number; readonly step: number; readonly totalSteps: number }): string =>
  `epoch ${at.epoch}/${at.epochs} step ${at.step}/${at.totalSteps}`

export const formatLog = (log: { readonly level: "info" | "warn"; readonly message: string }): string =>
  log.level === "warn" ? `warning: ${log.message}` : log.message

// Fractions are clamped to [0, 1] so a late or repeated event cannot overflow a bar.
const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)

export const progressBar = (fraction: number, width: number): string => {
  const filled = Math.round(clamp01(fraction) * width)
  return "█".repeat(filled) + "░".repeat(width - filled)
}

const byteUnits = ["B", "KiB", "MiB", "GiB", "TiB"] as const

/** The largest unit in which `bytes` is at least 1 (bytes below 1 KiB). */
const unitOf = (bytes: number): number => {
  let unit = 0
  while (bytes >= 1024 ** (unit + 1) && unit < byteUnits.length - 1) unit++
  return unit
}

// One decimal below 10 of the unit, so small changes still show.
const decimalsOf = (bytes: number, unit: number): number => (unit === 0 || bytes / 1024 ** unit >= 10 ? 0 : 1)

const inUnit = (bytes: number, unit: number, decimals: number): string => (bytes / 1024 ** unit).toFixed(decimals)

/** Binary units: `0 B`, `1.5 KiB`, `512 MiB`. */
export const formatBytes = (bytes: number): string => {
  const unit = unitOf(bytes)
  return `${inUnit(bytes, unit, decimalsOf(bytes, unit))} ${byteUnits[unit]}`
}

/** `118/262 MiB`: a part of `total` bytes, both in the unit and precision the total is shown in. */
export const formatBytesOf = (bytes: number, total: number): string => {
  const unit = unitOf(total)
  const decimals = decimalsOf(total, unit)
  return `${inUnit(bytes, unit, decimals)}/${inUnit(total, unit, decimals)} ${byteUnits[unit]}`
}

const sparks = "▁▂▃▄▅▆▇█"

/**
 * One character per value, its height scaled between the smallest and largest finite value;
 * a flat series sits in the middle, and a non-finite value (a diverged loss) shows as `×`.
 */
export const sparkline = (values: ReadonlyArray<number>): string => {
  const finite = values.filter(Number.isFinite)
  const low = Math.min(...finite)
  const range = Math.max(...finite) - low
  const top = sparks.length - 1
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return "×"
      return sparks[range > 0 ? Math.round(((v - low) / range) * top) : Math.floor(top / 2)]
    })
    .join("")
}

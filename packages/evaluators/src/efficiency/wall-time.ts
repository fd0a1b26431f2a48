import { MetricInputError } from "@peftlab/stats"

/**
 * A wall time for tables: "12.3s" under a minute, "4m 07s" under an hour, else "2h 05m 09s"
 * (whole seconds, rounded, from the minute up).
 */
export const formatWallTime = (ms: number): string => {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new MetricInputError({ source: "milliseconds", detail: `expected a finite duration ≥ 0, got ${ms}` })
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`
  const total = Math.round(ms / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60]
  const two = (n: number) => String(n).padStart(2, "0")
  return h > 0 ? `${h}h ${two(m)}m ${two(s)}s` : `${m}m ${two(s)}s`
}

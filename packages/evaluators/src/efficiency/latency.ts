import { quantileSorted } from "@peftlab/stats"

export interface LatencyStats {
  readonly mean: number
  readonly p50: number
  readonly p95: number
}

/** Mean, median and 95th percentile of per-example latencies in milliseconds. */
export const latencyStats = (ms: readonly number[]): LatencyStats => {
  if (ms.length === 0) throw new RangeError("latencyStats: no latencies")
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    mean: ms.reduce((s, x) => s + x, 0) / ms.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
  }
}

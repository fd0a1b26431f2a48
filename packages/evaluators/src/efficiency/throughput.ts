import { MetricInputError } from "@peftlab/stats"

/** Tokens processed (or generated) per second of wall time: tokens / (ms / 1000). */
export const tokensPerSecond = (tokens: number, ms: number): number => {
  if (!(Number.isInteger(tokens) && tokens >= 0)) throw new MetricInputError({ source: "tokens", detail: `expected an integer ≥ 0, got ${tokens}` })
  if (!(Number.isFinite(ms) && ms > 0)) throw new MetricInputError({ source: "milliseconds", detail: `expected a finite duration > 0, got ${ms}` })
  return tokens / (ms / 1000)
}

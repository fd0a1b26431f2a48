// Peak memory during a phase (training, evaluation): the process's resident set size, which covers
// the wasm and native backends' buffers, and the bytes tfjs reports for live tensors, each sampled on
// a timer. Peaks between two samples are missed, so call `sample()` at the moments that matter
// (after a forward pass, before disposing a batch).
import * as tf from "@tensorflow/tfjs"
import { MetricInputError } from "@peftlab/stats"

export interface MemoryPeak {
  /** Highest process.memoryUsage().rss seen, in bytes. */
  readonly rssBytes: number
  /** Highest tf.memory().numBytes seen, in bytes. */
  readonly tensorBytes: number
  readonly samples: number
}

export interface MemorySampler {
  /** Take a reading now (besides the timer's). */
  readonly sample: () => void
  /** Stop the timer, take a last reading, and return the peaks. Later calls return the same peaks. */
  readonly stop: () => MemoryPeak
}

/** Starts sampling every `intervalMs` (default 100 ms) and at once; the timer does not keep the process alive. */
export const startMemorySampler = (intervalMs = 100): MemorySampler => {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new MetricInputError({ source: "intervalMs", detail: `expected a duration > 0, got ${intervalMs}` })
  let peak = { rssBytes: 0, tensorBytes: 0, samples: 0 }
  let stopped = false
  const sample = () => {
    if (stopped) return
    peak = {
      rssBytes: Math.max(peak.rssBytes, process.memoryUsage.rss()),
      tensorBytes: Math.max(peak.tensorBytes, tf.memory().numBytes),
      samples: peak.samples + 1,
    }
  }
  const timer = setInterval(sample, intervalMs)
  timer.unref()
  sample()
  return {
    sample,
    stop: () => {
      if (!stopped) {
        clearInterval(timer)
        sample()
        stopped = true
      }
      return peak
    },
  }
}

// One readable line per event for CI logs and pipes, where a redrawn screen would be noise.
// Step and evaluation progress is throttled per arm; the last step of an epoch and the end
// of an evaluation always print, so the log still shows where each phase finished. Inputs cut
// to fit training.max_length print as a warning when there are any. A download,
// and a model's load from disk, prints when it starts, at each quarter and when done, however
// often it reports. Memory
// samples are left to the screen and the JSON lines.
import { describeTruncation, Events, type RunEvent, totalCut } from "@peftlab/core"
import { Clock, Effect, Layer } from "effect"
import { type DownloadEvent, formatDownloadProgress, type ModelLoadEvent, partsReceived } from "./download.ts"
import { formatBytes, formatDuration, formatEpochStep, formatLog, formatMetrics, formatNumber, formatRate, formatValidation } from "./format.ts"
import { trainingProgress } from "./progress.ts"

/** Least wall time between two progress lines of one arm. */
const progressIntervalMs = 2000

const plainLine = (event: RunEvent): string | undefined => {
  switch (event.type) {
    case "run-start":
      return `run ${event.name} on ${event.backend}${event.device === undefined ? "" : ` (${event.device})`}: ${event.arms.length} arm${event.arms.length === 1 ? "" : "s"} (${event.arms.join(", ")}), output ${event.outDir}`
    case "arm-phase":
      return `[${event.arm}] ${event.phase}${event.detail === undefined ? "" : `: ${event.detail}`}`
    case "train-step":
      return `[${event.arm}] ${formatEpochStep(event)} loss ${formatNumber(event.loss)} ${formatRate(event.tokensPerSecond)} eta ${formatDuration(trainingProgress(event).etaMs)}`
    case "epoch-end":
      return `[${event.arm}] epoch ${event.epoch} done: train loss ${formatNumber(event.trainLoss)}, val ${formatValidation({ ...event.validation, best: event.best })}`
    case "eval-progress":
      return `[${event.arm}] eval ${event.split} ${event.done}/${event.total}`
    case "arm-result":
      return `[${event.arm}] result: ${formatMetrics(event.metrics)}`
    case "log":
      return formatLog(event)
    case "download":
      return event.done ? `downloaded ${event.file} (${formatBytes(event.bytes)})` : `downloading ${event.file} ${formatDownloadProgress(event)}`
    case "model-load":
      return event.done ? `loaded model ${event.file} (${formatBytes(event.total)})` : `loading model ${event.file} ${formatDownloadProgress(event)}`
    case "truncation":
      return `${totalCut(event) > 0 ? "warning: " : ""}truncation: ${describeTruncation(event)}`
    case "resources":
      return undefined
    case "run-end":
      return event.ok
        ? `run finished in ${formatDuration(event.elapsedMs)}, results in ${event.outDir}`
        : `run failed after ${formatDuration(event.elapsedMs)}, partial results in ${event.outDir}`
  }
}

/** The throttle key of a progress event and whether it must print; undefined for other events. */
const progressOf = (event: RunEvent): { readonly key: string; readonly final: boolean } | undefined => {
  if (event.type === "train-step") return { key: `${event.arm}\ttrain`, final: trainingProgress(event).lastOfEpoch }
  if (event.type === "eval-progress") return { key: `${event.arm}\teval`, final: event.done === event.total }
  return undefined
}

/** 0 to 3 quarters received, 4 once done; a file of unknown size stays at 0 until done. */
const quarterOf = (event: DownloadEvent | ModelLoadEvent): number => (event.done ? 4 : Math.min(3, partsReceived(event, 4) ?? 0))

const nowMs = Effect.map(Clock.monotonicTimeNanos, (nanos) => Number(nanos / 1_000_000n))

/** Writes one line per event (throttled progress) through `write`; stdout by default. */
export const plainLinesLayer = (write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Layer.Layer<Events> =>
  Layer.sync(Events, () => {
    const lastPrinted = new Map<string, number>()
    // Per file: a resumed download reports its start again, which must not print again.
    const quartersPrinted = new Map<string, number>()
    return {
      emit: (event) =>
        Effect.gen(function* () {
          if (event.type === "download" || event.type === "model-load") {
            const key = `${event.type}\t${event.file}`
            const quarter = quarterOf(event)
            if (quarter <= (quartersPrinted.get(key) ?? -1)) return
            quartersPrinted.set(key, quarter)
          }
          const progress = progressOf(event)
          if (progress !== undefined) {
            const now = yield* nowMs
            const last = lastPrinted.get(progress.key)
            if (!progress.final && last !== undefined && now - last < progressIntervalMs) return
            lastPrinted.set(progress.key, now)
          }
          const line = plainLine(event)
          if (line !== undefined) write(line)
        }),
    }
  })

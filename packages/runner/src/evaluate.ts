// Test-set evaluation, one example at a time so each latency is a real per-example latency
// (prompt in, label out), as a deployed classifier would see it.
import { Effect } from "effect"
import { classificationMetrics, latencyStats, scoreLabels } from "@peftlab/evaluators"
import { emit } from "@peftlab/core"
import type { PredictionRow } from "@peftlab/reporters"
import type { ClassificationSetup } from "./classification-task.ts"
import type { EncodedExample } from "./encode.ts"

export interface TestEvaluation {
  readonly predictions: ReadonlyArray<PredictionRow>
  readonly metrics: ReturnType<typeof classificationMetrics>
  readonly latency: ReturnType<typeof latencyStats>
}

const yieldToEventLoop = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

export const evaluateTest = (arm: string, setup: ClassificationSetup, examples: ReadonlyArray<EncodedExample>) =>
  Effect.gen(function* () {
    const labels = setup.task.labels
    const predictions: Array<PredictionRow> = []
    const latencies: Array<number> = []
    for (const [i, example] of examples.entries()) {
      const started = performance.now()
      const [scored] = yield* Effect.promise(() => scoreLabels(setup.model, setup.adapter, [example.prompt], setup.task.labelIds, setup.padId))
      latencies.push(performance.now() - started)
      predictions.push({
        id: example.id,
        gold: labels[example.label] as string,
        pred: labels[scored!.predicted] as string,
        score: scored!.confidence,
      })
      if ((i + 1) % 10 === 0 || i + 1 === examples.length) {
        yield* emit({ type: "eval-progress", arm, split: "test", done: i + 1, total: examples.length })
        yield* yieldToEventLoop
      }
    }
    const metrics = classificationMetrics(
      predictions.map((p) => p.gold),
      predictions.map((p) => p.pred),
      labels,
    )
    return { predictions, metrics, latency: latencyStats(latencies) } satisfies TestEvaluation
  })

// Span extraction as a task kind: sentences with entity spans, an encoder with a span head
// answering one question per entity type, strict span-match scores, a paired bootstrap of
// micro-F1 against the baseline; `peftlab predict` does not cover it.
import { Effect } from "effect"
import { Registry } from "@peftlab/plugin-api"
import { isSpanExtraction } from "@peftlab/spec"
import { loadSpanEncoder } from "../../language-model.ts"
import type { ModelInputs, TaskKind } from "../task-kind.ts"
import { placementOf, scoped } from "../task-model.ts"
import { spanArmTask } from "./span-arm.ts"
import { compareExtractionsWithBaseline } from "./span-comparisons.ts"
import { prepareSpanData } from "./span-data.ts"
import { extractionExamples, extractionFigures, writeExtractionResults } from "./span-report.ts"
import { spanEvaluationMetrics } from "./span-results.ts"

export const spanExtractionTaskKind: TaskKind = {
  name: "span-extraction",
  data: { produces: "spans", described: "sentences with entity spans" },
  // Span extraction reports a fixed set of metrics, which plugins do not extend.
  fixedMetrics: spanEvaluationMetrics,
  headlineMetric: "micro_f1",
  prepare: (spec) =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const data = yield* prepareSpanData(spec)
      return {
        ...data,
        load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
          Effect.gen(function* () {
            const task = spec.task
            if (!isSpanExtraction(task)) throw new Error(`a ${task.kind ?? "classification"} spec reached the span-extraction path`)
            const model = yield* scoped(loadSpanEncoder(modelDir, placementOf(spec, shared, registry.entries("methods"))))
            const { task: armTask, truncation } = yield* spanArmTask({ spec, task, model, tokenizer, splits: data.splits, types: data.labels, external: data.external })
            return { model, task: armTask, truncation }
          }),
      }
    }),
  compare: (spec, _labels, finished) => compareExtractionsWithBaseline(spec, new Map(finished.map((f) => [f.result.arm, f.extractions ?? []]))),
  writeResults: writeExtractionResults,
  figures: extractionFigures,
  htmlExamples: extractionExamples,
}

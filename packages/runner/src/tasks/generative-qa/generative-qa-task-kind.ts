// Generative QA as a task kind: question-answer pairs, a language model trained on the response
// and evaluated on greedily generated answers (ROUGE, BLEU, token F1, readability, perplexity,
// BERTScore when asked), the same scores on evaluation.external_test when the spec gives one, a
// paired bootstrap of ROUGE-L (and BERTScore F1) against the baseline, and predict's generated answers.
import { Effect } from "effect"
import { Registry } from "@peftlab/plugin-api"
import { isGenerativeQa } from "@peftlab/spec"
import { loadLanguageModel } from "../../language-model.ts"
import { countSplits, truncationCounts } from "../../truncation/count.ts"
import type { ModelInputs, TaskKind } from "../task-kind.ts"
import { placementOf, scoped } from "../task-model.ts"
import { qaArmTask } from "./qa-arm.ts"
import { loadAnswerScorer } from "./qa-bertscore.ts"
import { compareGenerationsWithBaseline } from "./qa-comparisons.ts"
import { prepareQAData } from "./qa-data.ts"
import { encodeQA } from "./qa-encode.ts"
import { generationLines } from "./qa-predict.ts"
import { generationExamples, generationFigures, writeGenerationResults } from "./qa-report.ts"
import { qaMetricNames } from "./qa-results.ts"

export const generativeQaTaskKind: TaskKind = {
  name: "generative-qa",
  data: { produces: "qa", described: "question-answer pairs" },
  // Generative QA reports a fixed set of metrics, which plugins do not extend.
  fixedMetrics: qaMetricNames,
  headlineMetric: "rougeL",
  prepare: (spec) =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const data = yield* prepareQAData(spec)
      return {
        ...data,
        load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
          Effect.gen(function* () {
            const task = spec.task
            if (!isGenerativeQa(task)) throw new Error("a classification spec reached the generative-qa path")
            const model = yield* scoped(loadLanguageModel(modelDir, placementOf(spec, shared, registry.entries("methods"))))
            const encode = (split: keyof typeof data.splits) => encodeQA(spec, task, tokenizer, data.splits[split])
            const encoded = { train: yield* encode("train"), val: yield* encode("val"), test: yield* encode("test") }
            const truncation = truncationCounts(spec, "examples", countSplits(encoded))
            const { bertscore } = spec.evaluation
            const scorer = bertscore === undefined ? undefined : yield* loadAnswerScorer(bertscore)
            const external = data.external && (yield* encodeQA(spec, task, tokenizer, data.external.examples))
            return { model, task: qaArmTask({ spec, model, tokenizer, encoded, external, ...(scorer && { scorer }) }), truncation }
          }),
      }
    }),
  compare: (spec, _labels, finished) => compareGenerationsWithBaseline(spec, new Map(finished.map((f) => [f.result.arm, f.generations ?? []]))),
  writeResults: writeGenerationResults,
  figures: generationFigures,
  htmlExamples: generationExamples,
  predictLines: generationLines,
}

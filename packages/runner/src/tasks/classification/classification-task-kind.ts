// Classification as a task kind (task.kind absent or classification): labelled examples, a
// language model scoring each label's verbalizer (or generating a label), McNemar and bootstrap
// comparisons, results with per-arm intervals (and each arm's scores on evaluation.external_test
// when the spec gives one), and predict's label scores.
import { Effect } from "effect"
import { Registry } from "@peftlab/plugin-api"
import { loadChatTemplate } from "@peftlab/tokenizers"
import { loadLanguageModel } from "../../language-model.ts"
import { countSplits, truncationCounts } from "../../truncation/count.ts"
import type { ModelInputs, TaskKind } from "../task-kind.ts"
import { placementOf, scoped } from "../task-model.ts"
import { classificationArmTask } from "./classification-arm.ts"
import { compareWithBaseline } from "./classification-comparisons.ts"
import { classificationLines } from "./classification-predict.ts"
import { classificationExamples, classificationFigures, writeClassificationResults } from "./classification-report.ts"
import { prepareClassificationData } from "./data.ts"
import { classificationTaskOf, encodedTask } from "./encode.ts"

export const classificationTaskKind: TaskKind = {
  name: "classification",
  data: { produces: "labels", described: "labelled examples" },
  headlineMetric: "macro_f1",
  prepare: (spec) =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const data = yield* prepareClassificationData(spec)
      return {
        ...data,
        load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
          Effect.gen(function* () {
            const model = yield* scoped(loadLanguageModel(modelDir, placementOf(spec, shared, registry.entries("methods"))))
            const chat = classificationTaskOf(spec).format === "chat" ? yield* loadChatTemplate(modelDir) : undefined
            const task = encodedTask(spec, tokenizer, data.labels, chat)
            const encoded = { train: yield* task.encode(data.splits.train), val: yield* task.encode(data.splits.val), test: yield* task.encode(data.splits.test) }
            // Every arm scores the same prompts: virtual tokens come on top of max_length (positions-fit.ts).
            const truncation = truncationCounts(spec, "examples", countSplits(encoded))
            const external = data.external && (yield* task.encode(data.external.examples))
            return { model, task: classificationArmTask({ spec, model, tokenizer, task, encoded, external }), truncation }
          }),
      }
    }),
  compare: (spec, labels, finished) => compareWithBaseline(spec, labels, new Map(finished.map((f) => [f.result.arm, f.predictions]))),
  writeResults: writeClassificationResults,
  figures: classificationFigures,
  htmlExamples: classificationExamples,
  predictLines: classificationLines,
}

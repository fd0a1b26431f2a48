// The spec's task, chosen once by task.kind: its data (loaded, split, hashed before the model
// is touched), then, given the model and tokenizer, the ArmTask every arm runs with; and the
// comparisons of finished arms with the baseline.
import { Effect } from "effect"
import type { Comparison } from "@peftlab/reporters"
import { isGenerativeQa, type ExperimentSpec } from "@peftlab/spec"
import { loadChatTemplate, type Tokenizer } from "@peftlab/tokenizers"
import type { LanguageModel } from "@peftlab/evaluators"
import { classificationArmTask } from "./classification-arm.ts"
import { compareWithBaseline } from "./comparisons.ts"
import { prepareData } from "./data.ts"
import { classificationTaskOf, encodedTask } from "./encode.ts"
import type { FinishedArm } from "./output-folder.ts"
import { qaArmTask } from "./qa/qa-arm.ts"
import { compareGenerationsWithBaseline } from "./qa/qa-comparisons.ts"
import { prepareQAData } from "./qa/qa-data.ts"
import { encodeQA } from "./qa/qa-encode.ts"
import type { PeftlabRegistry } from "./registry/entries.ts"

export interface ModelInputs {
  readonly model: LanguageModel
  readonly tokenizer: Tokenizer
  readonly modelDir: string
}

const classification = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  Effect.map(prepareData(spec, registry), (data) => ({
    ...data,
    armTask: ({ model, tokenizer, modelDir }: ModelInputs) =>
      Effect.gen(function* () {
        const chat = classificationTaskOf(spec).format === "chat" ? yield* loadChatTemplate(modelDir) : undefined
        const task = encodedTask(spec, tokenizer, data.labels, chat)
        const encoded = { train: yield* task.encode(data.splits.train), val: yield* task.encode(data.splits.val), test: yield* task.encode(data.splits.test) }
        return classificationArmTask({ spec, model, tokenizer, task, encoded, registry })
      }),
  }))

const generativeQa = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  Effect.map(prepareQAData(spec, registry), (data) => ({
    ...data,
    armTask: ({ model, tokenizer }: ModelInputs) =>
      Effect.gen(function* () {
        const task = spec.task
        if (!isGenerativeQa(task)) throw new Error("a classification spec reached the generative-qa path")
        const encode = (split: keyof typeof data.splits) => encodeQA(spec, task, tokenizer, data.splits[split])
        const encoded = { train: yield* encode("train"), val: yield* encode("val"), test: yield* encode("test") }
        return qaArmTask({ spec, model, tokenizer, encoded })
      }),
  }))

/** The task's data and how to build its ArmTask once the model is loaded. */
export const prepareTask = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  isGenerativeQa(spec.task) ? generativeQa(spec, registry) : classification(spec, registry)

/** Every finished arm against the spec's baseline, with the task's own tests. */
export const compareFinished = (spec: ExperimentSpec, labels: ReadonlyArray<string>, finished: ReadonlyArray<FinishedArm>): Array<Comparison> =>
  isGenerativeQa(spec.task)
    ? compareGenerationsWithBaseline(spec, new Map(finished.map((f) => [f.result.arm, f.generations ?? []])))
    : compareWithBaseline(spec, labels, new Map(finished.map((f) => [f.result.arm, f.predictions])))

// The spec's task, chosen once by task.kind: its data (loaded, split, hashed before the model
// is touched), then the model it needs, the ArmTask every arm runs with and how many inputs
// were cut to fit training.max_length; and the comparisons of finished arms with the baseline.
import { Effect } from "effect"
import type { Placement, SharedMatrices } from "@peftlab/models"
import type { Comparison } from "@peftlab/reporters"
import { isGenerativeQa, isSpanExtraction, type ExperimentSpec } from "@peftlab/spec"
import { loadChatTemplate, type Tokenizer } from "@peftlab/tokenizers"
import { classificationArmTask } from "./classification-arm.ts"
import { compareWithBaseline } from "./comparisons.ts"
import { prepareData } from "./data.ts"
import { classificationTaskOf, encodedTask } from "./encode.ts"
import { loadLanguageModel, loadSpanEncoder, placementFor } from "./language-model.ts"
import type { FinishedArm } from "./output-folder.ts"
import { qaArmTask } from "./qa/qa-arm.ts"
import { compareGenerationsWithBaseline } from "./qa/qa-comparisons.ts"
import { prepareQAData } from "./qa/qa-data.ts"
import { encodeQA } from "./qa/qa-encode.ts"
import type { PeftlabRegistry } from "./registry/entries.ts"
import { spanArmTask } from "./span/span-arm.ts"
import { countSplits, truncationCounts } from "./truncation/count.ts"
import { compareExtractionsWithBaseline } from "./span/span-comparisons.ts"
import { prepareSpanData } from "./span/span-data.ts"

export interface ModelInputs {
  readonly tokenizer: Tokenizer
  readonly modelDir: string
  /** The main thread's frozen matrices, which a worker's replica uses in place of loading its own (see arm-replica.ts). */
  readonly shared?: SharedMatrices
}

/** The spec's placement, over the main thread's matrices where a worker has them. */
const placementOf = (spec: ExperimentSpec, shared: SharedMatrices | undefined): Placement => ({ ...placementFor(spec), ...(shared && { shared }) })

/** A model loaded for the length of the run (released with the scope). */
const scoped = <M extends { dispose(): void }, E, R>(load: Effect.Effect<M, E, R>) => Effect.acquireRelease(load, (model) => Effect.sync(() => model.dispose()))

const classification = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  Effect.map(prepareData(spec, registry), (data) => ({
    ...data,
    load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
      Effect.gen(function* () {
        const model = yield* scoped(loadLanguageModel(modelDir, placementOf(spec, shared)))
        const chat = classificationTaskOf(spec).format === "chat" ? yield* loadChatTemplate(modelDir) : undefined
        const task = encodedTask(spec, tokenizer, data.labels, chat)
        const encoded = { train: yield* task.encode(data.splits.train), val: yield* task.encode(data.splits.val), test: yield* task.encode(data.splits.test) }
        // Every arm scores the same prompts: virtual tokens come on top of max_length (positions-fit.ts).
        const truncation = truncationCounts(spec, "examples", countSplits(encoded))
        return { model, task: classificationArmTask({ spec, model, tokenizer, task, encoded, registry }), truncation }
      }),
  }))

const generativeQa = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  Effect.map(prepareQAData(spec, registry), (data) => ({
    ...data,
    load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
      Effect.gen(function* () {
        const task = spec.task
        if (!isGenerativeQa(task)) throw new Error("a classification spec reached the generative-qa path")
        const model = yield* scoped(loadLanguageModel(modelDir, placementOf(spec, shared)))
        const encode = (split: keyof typeof data.splits) => encodeQA(spec, task, tokenizer, data.splits[split])
        const encoded = { train: yield* encode("train"), val: yield* encode("val"), test: yield* encode("test") }
        const truncation = truncationCounts(spec, "examples", countSplits(encoded))
        return { model, task: qaArmTask({ spec, model, tokenizer, encoded }), truncation }
      }),
  }))

const spanExtraction = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  Effect.map(prepareSpanData(spec, registry), (data) => ({
    ...data,
    load: ({ tokenizer, modelDir, shared }: ModelInputs) =>
      Effect.gen(function* () {
        const task = spec.task
        if (!isSpanExtraction(task)) throw new Error(`a ${task.kind ?? "classification"} spec reached the span-extraction path`)
        const model = yield* scoped(loadSpanEncoder(modelDir, placementOf(spec, shared)))
        const { task: armTask, truncation } = yield* spanArmTask({ spec, task, model, tokenizer, splits: data.splits, types: data.labels })
        return { model, task: armTask, truncation }
      }),
  }))

/** The task's data and how to load its model and build its ArmTask. */
export const prepareTask = (spec: ExperimentSpec, registry: PeftlabRegistry) =>
  isGenerativeQa(spec.task) ? generativeQa(spec, registry) : isSpanExtraction(spec.task) ? spanExtraction(spec, registry) : classification(spec, registry)

/** Every finished arm against the spec's baseline, with the task's own tests. */
export const compareFinished = (spec: ExperimentSpec, labels: ReadonlyArray<string>, finished: ReadonlyArray<FinishedArm>): Array<Comparison> => {
  if (isGenerativeQa(spec.task)) return compareGenerationsWithBaseline(spec, new Map(finished.map((f) => [f.result.arm, f.generations ?? []])))
  if (isSpanExtraction(spec.task)) return compareExtractionsWithBaseline(spec, new Map(finished.map((f) => [f.result.arm, f.extractions ?? []])))
  return compareWithBaseline(spec, labels, new Map(finished.map((f) => [f.result.arm, f.predictions])))
}

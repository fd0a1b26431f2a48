// `peftlab predict`'s work: an existing adapter on the base model, run over every example of a
// data file with a run's task, one example at a time exactly as the run's test pass does
// (classification.ts's label scoring or generation, qa-task.ts's generation), giving one row per
// example: its id, the prediction and, for label scoring, each label's log-probability.
import { Effect } from "effect"
import { InputError, type RegistryError } from "@peftlab/core"
import { scoreLabels } from "@peftlab/evaluators"
import { isNf4Linear, quantizeModelLinears } from "@peftlab/models"
import { isGenerativeQa, isSpanExtraction, type ExperimentSpec } from "@peftlab/spec"
import { loadChatTemplate, loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { loadPeftFolder } from "../adapter-arms/load-peft.ts"
import type { ClassificationSetup } from "../classification-task.ts"
import { classificationTaskOf, encodedTask } from "../encode.ts"
import { testPredictor } from "../evaluate.ts"
import { loadLanguageModel, placementFor } from "../language-model.ts"
import { qaTestPass, type QASetup } from "../qa/qa-task.ts"
import { encodeQA } from "../qa/qa-encode.ts"
import { isLabelDatasetKind, isQADatasetKind, type PeftlabRegistry } from "../registry/entries.ts"

/** A task predict does not cover. */
export class PredictUnsupported extends InputError("PredictUnsupported") {}

export interface PredictInputs {
  readonly spec: ExperimentSpec
  readonly registry: PeftlabRegistry
  readonly modelDir: string
  readonly adapterDir: string
  readonly dataPath: string
  /** Quantize the base's linears to NF4 first (a QLoRA arm's adapter). */
  readonly nf4: boolean
  /** Add the token ids each label score was computed from, for a check by another library. */
  readonly ids?: boolean
}

/** One line of the predictions file. */
export type PredictionLine = Readonly<Record<string, unknown>>

const scoped = <M extends { dispose(): void }, E, R>(load: Effect.Effect<M, E, R>) => Effect.acquireRelease(load, (m) => Effect.sync(() => m.dispose()))

/** The examples of `dataPath`, read by the spec's data kind with its field mapping and cleaning. */
const datasetKind = (inputs: PredictInputs) =>
  Effect.try({ try: () => inputs.registry.get("datasets", inputs.spec.data.kind), catch: (error) => error as RegistryError })

const classificationLines = (inputs: PredictInputs, tokenizer: Tokenizer, setup: Omit<ClassificationSetup, "task">) =>
  Effect.gen(function* () {
    const { spec } = inputs
    const kind = yield* datasetKind(inputs)
    if (!isLabelDatasetKind(kind)) return yield* Effect.fail(new PredictUnsupported({ source: "data.kind", detail: `${kind.name} does not give labelled examples for a classification task` }))
    const { examples } = yield* kind.load({ ...spec.data, path: inputs.dataPath })
    const labels = Object.keys(classificationTaskOf(spec).labels)
    const chat = classificationTaskOf(spec).format === "chat" ? yield* loadChatTemplate(inputs.modelDir) : undefined
    const task = encodedTask(spec, tokenizer, labels, chat)
    const encoded = yield* task.encode(examples)
    const predict = testPredictor(spec, tokenizer)
    return yield* Effect.forEach(encoded, (example, i) =>
      Effect.promise(async (): Promise<PredictionLine> => {
        const gold = { gold: (examples[i] as (typeof examples)[number]).label }
        if (spec.evaluation.mode === "generate") {
          const { pred, generated } = await predict({ ...setup, task }, example)
          return { id: example.id, prediction: pred, generated, ...gold }
        }
        const [scored] = await scoreLabels(setup.model, setup.adapter, [example.prompt], task.labelIds, setup.padId)
        const { scores, predicted, confidence } = scored!
        const ids = inputs.ids === true ? { prompt_ids: example.prompt, label_ids: Object.fromEntries(labels.map((l, j) => [l, task.labelIds[j]])) } : {}
        return { id: example.id, prediction: labels[predicted], probability: confidence, log_probs: Object.fromEntries(labels.map((l, j) => [l, scores[j]])), ...gold, ...ids }
      }),
    )
  })

const generationLines = (inputs: PredictInputs, tokenizer: Tokenizer, setup: Pick<QASetup, "model" | "adapter">) =>
  Effect.gen(function* () {
    const { spec } = inputs
    const task = spec.task
    const kind = yield* datasetKind(inputs)
    if (!isGenerativeQa(task) || !isQADatasetKind(kind)) return yield* Effect.fail(new PredictUnsupported({ source: "data.kind", detail: `${kind.name} does not give question-answer pairs for a generative-qa task` }))
    const { examples } = yield* kind.load({ ...spec.data, path: inputs.dataPath })
    const encoded = yield* encodeQA(spec, task, tokenizer, examples)
    const pass = qaTestPass({ ...setup, tokenizer, batchSize: 1 }, encoded, spec.evaluation.max_new_tokens ?? 1)
    return yield* Effect.forEach(encoded, (example, i) =>
      Effect.promise(async (): Promise<PredictionLine> => ({ id: example.id, prediction: await pass.predict(i), reference: example.reference })),
    )
  })

/** Every example's prediction, in the data file's order (after the data kind's cleaning). */
export const predictLines = (inputs: PredictInputs) =>
  Effect.gen(function* () {
    const { spec } = inputs
    if (isSpanExtraction(spec.task)) {
      return yield* Effect.fail(new PredictUnsupported({ source: "task.kind", detail: "predict covers classification and generative-qa tasks; span-extraction is not supported" }))
    }
    const tokenizer = yield* loadTokenizer(inputs.modelDir)
    const model = yield* scoped(loadLanguageModel(inputs.modelDir, placementFor(spec)))
    // As the QLoRA arm did, unless the base was quantized while loading (a run of QLoRA arms only).
    if (inputs.nf4 && ![...model.linears.values()].some(isNf4Linear)) yield* Effect.promise(() => quantizeModelLinears(model))
    const adapter = yield* scoped(loadPeftFolder(model, inputs.adapterDir, inputs.registry.entries("methods")))
    const setup = { model, adapter, padId: tokenizer.padId, batchSize: 1 }
    return isGenerativeQa(spec.task) ? yield* generationLines(inputs, tokenizer, setup) : yield* classificationLines(inputs, tokenizer, setup)
  }).pipe(Effect.scoped)

// `peftlab predict` on a classification task: each example of the data file scored (every
// label's log-probability) or, with evaluation.mode generate, its label read from generated
// text, one example at a time exactly as the run's test pass does (evaluate.ts).
import { Effect } from "effect"
import { scoreLabels } from "@peftlab/evaluators"
import { loadChatTemplate, type Tokenizer } from "@peftlab/tokenizers"
import { datasetKind, PredictUnsupported, type PredictInputs, type PredictionLine, type PredictSetup } from "../../predict/predict-inputs.ts"
import { isLabelDatasetKind } from "@peftlab/plugin-api"
import { classificationTaskOf, encodedTask } from "./encode.ts"
import { testPredictor } from "./evaluate.ts"

export const classificationLines = (inputs: PredictInputs, tokenizer: Tokenizer, setup: PredictSetup) =>
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

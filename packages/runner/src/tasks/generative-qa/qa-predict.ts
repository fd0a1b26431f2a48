// `peftlab predict` on a generative-qa task: each question's answer generated greedily, one
// example at a time exactly as the run's test pass does (qa-task.ts), beside its reference.
import { Effect } from "effect"
import { isGenerativeQa } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { datasetKind, PredictUnsupported, type PredictInputs, type PredictionLine, type PredictSetup } from "../../predict/predict-inputs.ts"
import { isQADatasetKind } from "@peftlab/plugin-api"
import { encodeQA } from "./qa-encode.ts"
import { qaTestPass } from "./qa-task.ts"

export const generationLines = (inputs: PredictInputs, tokenizer: Tokenizer, setup: Pick<PredictSetup, "model" | "adapter">) =>
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

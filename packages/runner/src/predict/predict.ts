// `peftlab predict`'s work: an existing adapter on the base model, run over every example of a
// data file with a run's task, one example at a time exactly as the run's test pass does (the
// task kind's predict lines: label scoring or generation for classification, generation for
// generative QA), giving one row per example: its id, the prediction and, for label scoring,
// each label's log-probability.
import { Effect } from "effect"
import { Registry } from "@peftlab/plugin-api"
import { isQuantizedLinear, quantizeModelLinearsAs } from "@peftlab/models"
import { loadTokenizer } from "@peftlab/tokenizers"
import { loadPeftFolder } from "../adapter-arms/load-peft.ts"
import { loadLanguageModel, placementFor } from "../language-model.ts"
import { taskKindOf, taskKinds } from "../tasks/task-kinds.ts"
import { scoped } from "../tasks/task-model.ts"
import { PredictUnsupported, type PredictInputs } from "./predict-inputs.ts"

export { PredictUnsupported, type PredictInputs, type PredictionLine } from "./predict-inputs.ts"

/** The task kinds predict covers, as its refusal of the others names them. */
const covered = taskKinds.filter((kind) => kind.predictLines !== undefined).map((kind) => kind.name).join(" and ")

/** Every example's prediction, in the data file's order (after the data kind's cleaning); methods and data kind from the run's Registry. */
export const predictLines = (inputs: PredictInputs) =>
  Effect.gen(function* () {
    const { spec } = inputs
    const kind = taskKindOf(spec.task)
    const lines = kind.predictLines
    if (lines === undefined) {
      return yield* Effect.fail(new PredictUnsupported({ source: "task.kind", detail: `predict covers ${covered} tasks; ${kind.name} is not supported` }))
    }
    const registry = yield* Registry
    const tokenizer = yield* loadTokenizer(inputs.modelDir)
    const model = yield* scoped(loadLanguageModel(inputs.modelDir, placementFor(spec, registry.entries("methods"))))
    // As the arm did (QLoRA's NF4, or int8), unless the base was quantized while loading (a run of QLoRA arms only).
    const { quantize } = inputs
    if (quantize !== undefined && ![...model.linears.values()].some(isQuantizedLinear)) yield* Effect.promise(() => quantizeModelLinearsAs(model, quantize))
    const adapter = yield* scoped(loadPeftFolder(model, inputs.adapterDir, registry.entries("methods")))
    const setup = { model, adapter, padId: tokenizer.padId, batchSize: 1 }
    return yield* lines(inputs, tokenizer, setup)
  }).pipe(Effect.scoped)

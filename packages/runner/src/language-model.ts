// The model a task needs, by kind: classification and generative QA read a language-model
// head (decoder-only or encoder-decoder); span extraction puts its own head on an encoder.
import { Effect } from "effect"
import type { LanguageModel } from "@peftlab/evaluators"
import { loadModel, ModelFileError, type BaseModel, type EncoderModel } from "@peftlab/models"

const refuse = (model: BaseModel, dir: string, detail: string) => {
  model.dispose()
  return Effect.fail(new ModelFileError({ source: "model.path", detail: `${dir} holds a "${model.architecture}" ${model.kind} model; ${detail}` }))
}

export const loadLanguageModel = (dir: string): Effect.Effect<LanguageModel, ModelFileError> =>
  Effect.flatMap(loadModel(dir), (model) =>
    model.kind !== "encoder"
      ? Effect.succeed(model)
      : refuse(model, dir, "an encoder has no language-model head, and this task needs a decoder-only or encoder-decoder model"),
  )

export const loadEncoderModel = (dir: string): Effect.Effect<EncoderModel, ModelFileError> =>
  Effect.flatMap(loadModel(dir), (model) =>
    model.kind === "encoder" ? Effect.succeed(model) : refuse(model, dir, "span extraction needs a BERT-style encoder (model_type bert)"),
  )

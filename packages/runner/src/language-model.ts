// The model an experiment classifies with: a decoder-only or an encoder-decoder language model
// (label scoring and generation both read its LM head). An encoder has no LM head.
import { Effect } from "effect"
import type { LanguageModel } from "@peftlab/evaluators"
import { loadModel, ModelFileError } from "@peftlab/models"

export const loadLanguageModel = (dir: string): Effect.Effect<LanguageModel, ModelFileError> =>
  Effect.flatMap(loadModel(dir), (model) => {
    if (model.kind !== "encoder") return Effect.succeed(model)
    model.dispose()
    return Effect.fail(
      new ModelFileError({
        source: "model.path",
        detail: `${dir} holds a "${model.architecture}" encoder, which has no language-model head; classification here needs a decoder-only or encoder-decoder model`,
      }),
    )
  })

// The model a task needs, by kind: classification and generative QA read a language-model
// head (decoder-only or encoder-decoder); span extraction puts its own head on an encoder.
import { Effect } from "effect"
import type { LanguageModel } from "@peftlab/evaluators"
import { loadEncoder, loadModel, ModelFileError, type EncoderModel } from "@peftlab/models"

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

/** An encoder for a span head: without BERT's pooler, which the head never reads (BertForQuestionAnswering's add_pooling_layer=False). */
export const loadSpanEncoder = (dir: string): Effect.Effect<EncoderModel, ModelFileError> => loadEncoder(dir, { withoutOptional: true })

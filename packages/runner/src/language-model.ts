// The model a task needs, by kind: classification and generative QA read a language-model
// head (decoder-only or encoder-decoder); span extraction puts its own head on an encoder.
// Either reports how much of its weights is read (model-load events), so a large model's load
// shows progress instead of looking hung.
import { Effect } from "effect"
import { emit, type Events } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import { loadEncoder, loadModel, ModelFileError, type EncoderModel, type LoadOptions } from "@peftlab/models"

/**
 * `onProgress` for loading `dir`, as model-load events. The loader calls it from its own code,
 * outside any fiber, so the run's Events are captured here; each emit runs at once (runForkWith),
 * as the download events do.
 */
const loadProgress = (dir: string) =>
  Effect.map(Effect.context<Events>(), (services): NonNullable<LoadOptions["onProgress"]> => ({ bytes, total }) =>
    void Effect.runForkWith(services)(emit({ type: "model-load", file: dir, bytes, total, done: bytes === total })),
  )

export const loadLanguageModel = (dir: string): Effect.Effect<LanguageModel, ModelFileError, Events> =>
  Effect.flatMap(Effect.flatMap(loadProgress(dir), (onProgress) => loadModel(dir, { onProgress })), (model) => {
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
export const loadSpanEncoder = (dir: string): Effect.Effect<EncoderModel, ModelFileError, Events> =>
  Effect.flatMap(loadProgress(dir), (onProgress) => loadEncoder(dir, { withoutOptional: true, onProgress }))

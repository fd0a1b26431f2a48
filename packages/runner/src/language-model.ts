// The model a task needs, by kind: classification and generative QA read a language-model
// head (decoder-only or encoder-decoder); span extraction puts its own head on an encoder.
// Either reports how much of its weights is read (model-load events), so a large model's load
// shows progress instead of looking hung. On the host backends (cpu, wasm) the frozen base's
// weight matrices stay in host memory as stored (bf16 costs half of float32, and none of it sits
// in wasm's 4 GB heap), and when every arm is QLoRA they are quantized to NF4 as they are read,
// so the full-precision model never exists. On webgpu they stay in device memory the same way
// (stored bf16/f16 bytes or NF4 codes, never a float32 copy), split in row tiles where one would
// exceed the device's binding limit (a large vocabulary's embedding and LM head).
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { progressCallback, type RunEvent } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import { loadEncoder, loadModel, ModelFileError, type EncoderModel, type LoadProgress, type Placement } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"
import { builtinMethods } from "./registry/builtin-methods.ts"
import { armBaseQuantization } from "./registry/methods.ts"

/** `onProgress` for loading `dir`, as model-load events through the run's Events. */
const loadProgress = (dir: string) => progressCallback(({ bytes, total }: LoadProgress): RunEvent => ({ type: "model-load", file: dir, bytes, total, done: bytes === total }))

/** Backends whose tensors live in host memory anyway, where widening a stored weight per use costs no upload. */
const hostBackends: ReadonlySet<string> = new Set(["cpu", "wasm"])

/** Where the base's weights live for this spec on the backend in use (see the header); `methods`: the registered ones. */
export const placementFor = (spec: ExperimentSpec, methods: ReadonlyArray<MethodPlugin<any, any>> = builtinMethods): Placement => {
  const backend = tf.getBackend()
  const weights = hostBackends.has(backend) ? "host" : backend === "webgpu" ? "device" : undefined
  if (weights === undefined) return {}
  // Only NF4 is quantized while loading; an int8 arm's base is quantized when the arm starts.
  const allQlora = spec.arms.length > 0 && spec.arms.every((arm) => armBaseQuantization(methods, arm) === "nf4")
  return allQlora ? { weights, quantize: { type: "nf4" } } : { weights }
}

export const loadLanguageModel = (dir: string, placement: Placement = {}): Effect.Effect<LanguageModel, ModelFileError> =>
  Effect.flatMap(Effect.flatMap(loadProgress(dir), (onProgress) => loadModel(dir, { ...placement, onProgress })), (model) => {
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
export const loadSpanEncoder = (dir: string, placement: Placement = {}): Effect.Effect<EncoderModel, ModelFileError> =>
  Effect.flatMap(loadProgress(dir), (onProgress) => loadEncoder(dir, { ...placement, withoutOptional: true, onProgress }))

// Loads a Hugging Face model folder (config.json + model.safetensors, or its shards and
// model.safetensors.index.json) onto the current tfjs backend, with the architecture
// config.json's model_type names.
import { join } from "node:path"
import { Effect, Result } from "effect"
import type { Architecture } from "./architecture.ts"
import { architectureFor, supportedModelTypes } from "./architectures.ts"
import type { CausalLM } from "./causal-lm.ts"
import type { EncoderModel } from "./encoder-model.ts"
import { loadParameters, type LoadProgress, type Placement } from "./load-parameters.ts"
import type { BaseModel } from "./base-model.ts"
import { ModelFileError } from "./model-file-error.ts"
import { disposeParameters } from "./parameters.ts"
import { readModelFile } from "./read-model-file.ts"
import { openCheckpoint } from "./safetensors/index.ts"
import type { Seq2SeqLM } from "./seq2seq-lm.ts"

export interface ModelConfig {
  readonly architecture: Architecture
  /** The decoded config of that architecture. */
  readonly config: unknown
}

/** Reads and checks `<dir>/config.json`. */
export const readModelConfig = (dir: string): Effect.Effect<ModelConfig, ModelFileError> =>
  Effect.gen(function* () {
    const path = join(dir, "config.json")
    const fail = (detail: string) => Effect.fail(new ModelFileError({ source: path, detail }))
    const text = (yield* readModelFile(path)).toString("utf8")
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (cause) {
      return yield* fail(`not valid JSON: ${(cause as Error).message}`)
    }
    const modelType = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["model_type"] : undefined
    const expected = `expected one of ${supportedModelTypes().map((t) => `"${t}"`).join(", ")}`
    if (typeof modelType !== "string") return yield* fail(`field "model_type": missing or not a string; ${expected}`)
    const architecture = architectureFor(modelType)
    if (architecture === undefined) return yield* fail(`field "model_type": ${expected}, got "${modelType}"`)
    const config = architecture.decodeConfig(json)
    return Result.isSuccess(config) ? { architecture, config: config.success } : yield* fail(config.failure)
  })

export interface LoadOptions extends Placement {
  /**
   * Leave out the tensors the architecture may do without (BERT's pooler), as transformers'
   * BertForQuestionAnswering and BertForTokenClassification build BERT (add_pooling_layer=False).
   */
  readonly withoutOptional?: boolean
  /** Called after each tensor is read, with the stored bytes read so far and in all: a large model loads for minutes. */
  readonly onProgress?: (progress: LoadProgress) => void
}

/** Any supported model. */
export const loadModel = (dir: string, options: LoadOptions = {}): Effect.Effect<BaseModel, ModelFileError> =>
  Effect.gen(function* () {
    const { architecture, config } = yield* readModelConfig(dir)
    const parameters = yield* Effect.scoped(Effect.flatMap(openCheckpoint(dir), (checkpoint) => loadParameters(architecture, config, checkpoint, options.onProgress, options)))
    if (options.withoutOptional) {
      const optional = [...parameters].filter(([name]) => architecture.isOptional?.(name))
      disposeParameters(new Map(optional))
      for (const [name] of optional) parameters.delete(name)
    }
    return architecture.build(config, parameters)
  })

const loadKind =
  <K extends BaseModel["kind"]>(kind: K, what: string) =>
  (dir: string, options: LoadOptions = {}): Effect.Effect<Extract<BaseModel, { kind: K }>, ModelFileError> =>
    Effect.flatMap(loadModel(dir, options), (model) => {
      if (model.kind === kind) return Effect.succeed(model as Extract<BaseModel, { kind: K }>)
      model.dispose()
      return Effect.fail(new ModelFileError({ source: join(dir, "config.json"), detail: `expected ${what}, but "${model.architecture}" is a ${model.kind} model` }))
    })

/** A decoder-only language model (Llama, GPT-2). */
export const loadCausalLM: (dir: string, options?: LoadOptions) => Effect.Effect<CausalLM, ModelFileError> = loadKind("causal", "a decoder-only language model")
/** An encoder-decoder language model (T5). */
export const loadSeq2SeqLM: (dir: string, options?: LoadOptions) => Effect.Effect<Seq2SeqLM, ModelFileError> = loadKind("seq2seq", "an encoder-decoder language model")
/** An encoder (BERT). */
export const loadEncoder: (dir: string, options?: LoadOptions) => Effect.Effect<EncoderModel, ModelFileError> = loadKind("encoder", "an encoder model")

// Prefix tuning (Li & Liang, 2021) as Hugging Face PEFT does it: every layer attends to
// numVirtualTokens trainable keys and values placed before the input, as if they were cached
// past positions. Nothing is added to the token sequence, so outputs stay aligned with the
// caller's tokens.
import * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import type { PrefixTuningConfig } from "./config.ts"
import { layerPrefixes, prefixDims, stackPrefixes } from "./layer-prefixes.ts"
import { plainEncoder, projectedEncoder, randomPlainEncoder, type PrefixEncoder } from "./prefix-encoder.ts"

/** PEFT saves prefix tuning's rows under the prompt-learning name, already through any projection. */
export const prefixTensorName = "prompt_embeddings"

export interface PrefixTuning extends Adapter {
  /** Whether the rows still come from the prefix_projection MLP. */
  readonly projected: boolean
  /** The prefix rows [numVirtualTokens, layers * 2 * kvHeads * headDim]; a new tensor for the caller to dispose. */
  prefixRows(): tf.Tensor2D
  /** Computes the rows once and keeps only them (trainable), dropping the MLP; a no-op without projection. */
  foldProjection(): void
}

const isPositiveInt = (n: number | undefined) => Number.isInteger(n) && (n as number) > 0

/** The adapter around a given encoder; createPrefixTuning and loadPrefixTuning build the encoder. */
export const prefixTuningWith = (model: BaseModel, config: PrefixTuningConfig, initial: PrefixEncoder): PrefixTuning => {
  const dims = prefixDims(model)
  const encoderHiddenSize = config.encoderHiddenSize ?? dims.tokenDim
  let encoder = initial
  // peftTensors() must hand out the folded rows of a projected encoder; this adapter owns that
  // tensor until the next call or dispose().
  let exported: tf.Tensor2D | undefined

  return {
    peftType: "PREFIX_TUNING",
    get trainable() {
      return encoder.variables
    },
    get projected() {
      return encoder.projected
    },
    prefixRows: () => encoder.rows(),
    foldProjection: () => {
      if (!encoder.projected) return
      const rows = encoder.rows()
      encoder.dispose()
      encoder = plainEncoder(rows)
    },
    inject: (base, batch) => ({ prefix: stackPrefixes(base, layerPrefixes(base, encoder.rows(), dims, batch)) }),
    peftConfig: () => ({
      peft_type: "PREFIX_TUNING",
      task_type: peftTaskType(model),
      num_virtual_tokens: config.numVirtualTokens,
      token_dim: dims.tokenDim,
      num_layers: dims.layers,
      num_attention_heads: dims.kvHeads,
      // PEFT's default for SEQ_2_SEQ_LM (its T5 pass fails with 1), whose layout the rows follow (layer-prefixes.ts).
      num_transformer_submodules: model.kind === "seq2seq" ? 2 : 1,
      prefix_projection: config.prefixProjection ?? false,
      encoder_hidden_size: encoderHiddenSize,
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
    }),
    peftTensors: () => {
      if (!encoder.projected) return new Map([[prefixTensorName, encoder.variables[0] as tf.Tensor]])
      exported?.dispose()
      exported = tf.keep(encoder.rows())
      return new Map([[prefixTensorName, exported]])
    },
    dispose: () => {
      exported?.dispose()
      encoder.dispose()
    },
  }
}

export const createPrefixTuning = (model: BaseModel, config: PrefixTuningConfig, rng: Rng): PrefixTuning => {
  if (!isPositiveInt(config.numVirtualTokens)) throw new RangeError(`numVirtualTokens must be a positive integer, got ${config.numVirtualTokens}`)
  if (config.encoderHiddenSize !== undefined && !isPositiveInt(config.encoderHiddenSize)) {
    throw new RangeError(`encoderHiddenSize must be a positive integer, got ${config.encoderHiddenSize}`)
  }
  const dims = prefixDims(model)
  const virtual = config.numVirtualTokens
  const encoder = config.prefixProjection
    ? projectedEncoder({ virtual, tokenDim: dims.tokenDim, hidden: config.encoderHiddenSize ?? dims.tokenDim, width: dims.width }, rng)
    : randomPlainEncoder(virtual, dims.width, rng)
  return prefixTuningWith(model, config, encoder)
}

// P-tuning (Liu et al., 2021, "GPT Understands, Too") as Hugging Face PEFT does it: the virtual
// tokens prompt tuning puts before the input, computed by a trainable prompt encoder (MLP or LSTM,
// prompt-encoder.ts) from their own embeddings. PEFT saves the encoder's output, not the encoder,
// so after training the encoder is folded into that plain table, which is what inference uses
// and what a loaded adapter holds (PEFT's inference mode reads the saved rows as they are).
import * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import { replayableSeed, type BaseModel } from "@peftlab/models"
import { mlpEncoderLayers, type PTuningConfig } from "./config.ts"
import { createPromptEncoder, torchInitialValues, type PromptEncoder } from "./prompt-encoder.ts"

/** PEFT saves P-tuning's rows under the prompt-learning name, already through the encoder. */
export const pTuningTensorName = "prompt_embeddings"

export interface PTuning extends Adapter {
  /** Whether the rows still come from the prompt encoder (false once folded, and for a loaded adapter). */
  readonly encoded: boolean
  /** The virtual-token rows [numVirtualTokens, hidden] as inference uses them; a new tensor for the caller to dispose. */
  promptRows(): tf.Tensor2D
  /** Computes the rows once and keeps only them (trainable), dropping the encoder; a no-op once folded. */
  foldEncoder(): void
}

const isPositiveInt = (n: number | undefined) => Number.isInteger(n) && (n as number) > 0

/** The adapter around a prompt encoder (a fresh one) or a folded table of rows (a loaded one, which it owns). */
export const pTuningWith = (model: BaseModel, config: PTuningConfig, source: PromptEncoder | tf.Variable<tf.Rank.R2>, rng?: Rng): PTuning => {
  let encoder = source instanceof tf.Variable ? undefined : source
  let folded = source instanceof tf.Variable ? source : undefined
  let training = false
  // peftTensors() must hand out the rows of an unfolded encoder; this adapter owns that tensor
  // until the next call or dispose().
  let exported: tf.Tensor2D | undefined
  const dropout = config.encoderDropout ?? 0
  const rows = (train: boolean): tf.Tensor2D => {
    if (encoder === undefined) return (folded as tf.Variable<tf.Rank.R2>).clone()
    // The LSTM's dropout between layers, while training only; seeds replay under gradient checkpointing.
    return encoder.rows(train && dropout > 0 && rng !== undefined ? { rate: dropout, seed: () => replayableSeed(() => rng.nextUint32()) } : undefined)
  }

  return {
    peftType: "P_TUNING",
    get trainable() {
      return encoder === undefined ? [folded as tf.Variable] : [...encoder.parameters.values()]
    },
    get encoded() {
      return encoder !== undefined
    },
    promptRows: () => rows(false),
    foldEncoder: () => {
      if (encoder === undefined) return
      const table = encoder.rows()
      encoder.dispose()
      encoder = undefined
      folded = tf.variable(table, true) as tf.Variable<tf.Rank.R2>
      table.dispose()
    },
    setTraining: (on) => {
      training = on
    },
    inject: () => ({ virtualTokens: encoder === undefined ? (folded as tf.Variable<tf.Rank.R2>) : rows(training) }),
    peftConfig: () => ({
      peft_type: "P_TUNING",
      task_type: peftTaskType(model),
      num_virtual_tokens: config.numVirtualTokens,
      token_dim: model.dims.hidden_size,
      // The rows go before the input (an encoder-decoder's encoder input) only, as prompt tuning's.
      num_transformer_submodules: 1,
      num_attention_heads: model.dims.num_attention_heads,
      num_layers: model.dims.num_hidden_layers,
      encoder_reparameterization_type: config.encoderReparameterizationType,
      encoder_hidden_size: config.encoderHiddenSize ?? model.dims.hidden_size,
      encoder_num_layers: config.encoderNumLayers ?? mlpEncoderLayers,
      encoder_dropout: dropout,
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
    }),
    peftTensors: () => {
      if (encoder === undefined) return new Map([[pTuningTensorName, folded as tf.Tensor]])
      exported?.dispose()
      exported = tf.keep(rows(false))
      return new Map([[pTuningTensorName, exported]])
    },
    dispose: () => {
      exported?.dispose()
      encoder?.dispose()
      folded?.dispose()
    },
  }
}

/** A fresh P-tuning adapter: PEFT's prompt encoder, initialised as torch does (embedding N(0, 1), uniform linear and LSTM weights), from `rng`. */
export const createPTuning = (model: BaseModel, config: PTuningConfig, rng: Rng): PTuning => {
  if (!isPositiveInt(config.numVirtualTokens)) throw new RangeError(`numVirtualTokens must be a positive integer, got ${config.numVirtualTokens}`)
  for (const [field, value] of [["encoderHiddenSize", config.encoderHiddenSize], ["encoderNumLayers", config.encoderNumLayers]] as const) {
    if (value !== undefined && !isPositiveInt(value)) throw new RangeError(`${field} must be a positive integer, got ${value}`)
  }
  const dropout = config.encoderDropout ?? 0
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`encoderDropout must be in [0, 1), got ${dropout}`)
  const encoder = createPromptEncoder(
    {
      virtual: config.numVirtualTokens,
      tokenDim: model.dims.hidden_size,
      hidden: config.encoderHiddenSize ?? model.dims.hidden_size,
      type: config.encoderReparameterizationType,
      layers: config.encoderNumLayers ?? mlpEncoderLayers,
    },
    torchInitialValues(rng),
  )
  return pTuningWith(model, config, encoder, rng)
}

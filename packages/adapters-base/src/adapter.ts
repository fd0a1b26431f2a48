// The contract between a frozen base model and the small trainable part PEFT adds to it,
// in the spirit of PEFT's tuners. Every method changes a forward pass in one or more of three
// ways (virtual input tokens, attention prefixes, swapped linear modules), described by an
// Injection; run/ applies injections to each kind of model, so every adapter works on every
// architecture (decoder-only, encoder-decoder, encoder).
import type * as tf from "@tensorflow/tfjs"
import type { BaseModel, Linear, Seq2SeqPrefix } from "@peftlab/models"

export interface Injection {
  /** Prompt tuning: rows [n, hidden] placed before the (encoder) input embeddings of every row. */
  readonly virtualTokens?: tf.Tensor2D
  /**
   * Prefix tuning: per-layer keys and values for each attention stack the model has (a
   * decoder-only model uses `decoder`, an encoder `encoder`, an encoder-decoder all three).
   */
  readonly prefix?: Seq2SeqPrefix
  /** LoRA: modules put into the model's `linears` by name for the length of the call. */
  readonly linears?: ReadonlyMap<string, Linear>
  /**
   * A model of the same kind that runs the pass instead of the caller's (a trainable copy of
   * the base: full fine-tuning); the rest of the injection then applies to it.
   */
  readonly base?: BaseModel
}

export interface Adapter {
  /** PEFT's method name, e.g. "PROMPT_TUNING"; "NONE" for the frozen base alone. */
  readonly peftType: string
  /** The only variables training may change; the caller's base model's tensors are constants. */
  readonly trainable: ReadonlyArray<tf.Variable>
  /** What this adapter adds to a forward pass of `model` over `batch` rows (tensors made in the caller's tidy). */
  inject(model: BaseModel, batch: number): Injection
  /** Switches training-only behaviour such as dropout; adapters without any omit it. */
  setTraining?(training: boolean): void
  /** Per-variable factors on the learning rate (LoRA+'s parameter groups); all at the arm's lr when omitted or undefined. */
  learningRateScales?(): ReadonlyMap<tf.Variable, number> | undefined
  /** adapter_config.json fields in PEFT's format. */
  peftConfig(): Record<string, unknown>
  /** adapter_model.safetensors tensors under PEFT's names. */
  peftTensors(): ReadonlyMap<string, tf.Tensor>
  dispose(): void
}

export const trainableParameterCount = (adapter: Adapter): number =>
  adapter.trainable.reduce((sum, v) => sum + v.size, 0)

/** PEFT's task_type for adapter_config.json, from the kind of model an adapter was made for. */
export const peftTaskType = (model: BaseModel): string =>
  model.kind === "causal" ? "CAUSAL_LM" : model.kind === "seq2seq" ? "SEQ_2_SEQ_LM" : "FEATURE_EXTRACTION"

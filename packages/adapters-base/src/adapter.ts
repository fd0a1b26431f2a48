// The contract between a frozen base model and the small trainable part PEFT adds to it,
// in the spirit of PEFT's tuners: each method (prompt, prefix, LoRA) decides how the base
// runs, and exposes only its own variables to the optimiser.
import type * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "@peftlab/models"

export interface Adapter {
  /** PEFT's method name, e.g. "PROMPT_TUNING"; "NONE" for the frozen base alone. */
  readonly peftType: string
  /** The only variables training may change; the base model's tensors are constants. */
  readonly trainable: ReadonlyArray<tf.Variable>
  /**
   * Next-token logits aligned with the input positions ([batch, time, vocab]): whatever the
   * adapter adds (virtual tokens, prefixes) is hidden from the caller.
   */
  logits(model: CausalLM, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor3D
  /** Switches training-only behaviour such as dropout; adapters without any omit it. */
  setTraining?(training: boolean): void
  /** adapter_config.json fields in PEFT's format. */
  peftConfig(): Record<string, unknown>
  /** adapter_model.safetensors tensors under PEFT's names. */
  peftTensors(): ReadonlyMap<string, tf.Tensor>
  dispose(): void
}

export const trainableParameterCount = (adapter: Adapter): number =>
  adapter.trainable.reduce((sum, v) => sum + v.size, 0)

// Initial values of the virtual-token embeddings.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import type { CausalLM } from "@peftlab/models"
import type { PromptTuningConfig } from "./config.ts"

/** Token ids repeated (or cut) to exactly `length`, as PEFT does for text init. */
export const fitIdsToLength = (ids: ReadonlyArray<number>, length: number): number[] => {
  if (ids.length === 0) throw new RangeError("prompt tuning text init needs a non-empty init text")
  return Array.from({ length }, (_, i) => ids[i % ids.length] as number)
}

// PEFT draws random prompts from N(0, 1), nn.Embedding's default; a small model's token
// embeddings are far smaller than that, so we draw at their own standard deviation instead,
// which keeps the virtual tokens on the scale the frozen layers were trained for.
const randomInit = (model: CausalLM, n: number, rng: Rng): tf.Tensor2D => {
  const table = model.parameters.get("model.embed_tokens.weight") as tf.Tensor2D
  const std = tf.tidy(() => tf.moments(table).variance.sqrt().dataSync()[0] as number)
  const hidden = model.config.hidden_size
  const values = Float32Array.from({ length: n * hidden }, () => rng.normal() * std)
  return tf.tensor2d(values, [n, hidden])
}

export const initialPrompt = (model: CausalLM, config: PromptTuningConfig, rng: Rng): tf.Tensor2D => {
  if (config.init === "random") return randomInit(model, config.numVirtualTokens, rng)
  const ids = fitIdsToLength(config.initIds ?? [], config.numVirtualTokens)
  return tf.tidy(() => model.embed(tf.tensor2d([ids], [1, ids.length], "int32")).squeeze([0]) as tf.Tensor2D)
}

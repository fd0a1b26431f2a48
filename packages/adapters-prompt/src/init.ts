// Initial values of the virtual-token embeddings.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import type { PromptTuningConfig } from "./config.ts"

/** Token ids repeated (or cut) to exactly `length`, as PEFT does for text init. */
export const fitIdsToLength = (ids: ReadonlyArray<number>, length: number): number[] => {
  if (ids.length === 0) throw new RangeError("prompt tuning text init needs a non-empty init text")
  return Array.from({ length }, (_, i) => ids[i % ids.length] as number)
}

// PEFT draws random prompts from N(0, 1), nn.Embedding's default; a small model's token
// embeddings are far smaller than that, so we draw at their own standard deviation instead,
// which keeps the virtual tokens on the scale the frozen layers were trained for.
// The scale stays a tensor (no read back to the host), so this runs on every backend.
const randomInit = (model: BaseModel, n: number, rng: Rng): tf.Tensor2D =>
  tf.tidy(() => {
    const { hidden_size: hidden, vocab_size: vocab } = model.dims
    const table = model.embed(tf.range(0, vocab, 1, "int32").reshape([1, vocab]) as tf.Tensor2D)
    const std = tf.moments(table).variance.sqrt()
    const normals = tf.tensor2d(Float32Array.from({ length: n * hidden }, () => rng.normal()), [n, hidden])
    return normals.mul(std) as tf.Tensor2D
  })

export const initialPrompt = (model: BaseModel, config: PromptTuningConfig, rng: Rng): tf.Tensor2D => {
  if (config.init === "random") return randomInit(model, config.numVirtualTokens, rng)
  const ids = fitIdsToLength(config.initIds ?? [], config.numVirtualTokens)
  return tf.tidy(() => model.embed(tf.tensor2d([ids], [1, ids.length], "int32")).squeeze([0]) as tf.Tensor2D)
}

// Batched greedy generation from token ids: each kind of model padded on the side it needs.
// A decoder-only model continues from its last position, so its prompts are left-padded (every
// row then ends on a real token); an encoder-decoder reads the whole source, right-padded.
import * as tf from "@tensorflow/tfjs"
import { generateWith, type Adapter } from "@peftlab/adapters-base"
import type { GreedyOptions } from "@peftlab/models"
import { padBatch } from "@peftlab/tokenizers"
import type { LanguageModel } from "./continuation.ts"

export const paddingSide = (model: LanguageModel): "left" | "right" => (model.kind === "causal" ? "left" : "right")

/** The generated ids of each prompt (without its end-of-sequence id), in one batch. */
export const generateBatch = async (
  model: LanguageModel,
  adapter: Adapter,
  prompts: ReadonlyArray<ReadonlyArray<number>>,
  padId: number,
  options: GreedyOptions,
): Promise<number[][]> => {
  const { ids, attentionMask } = padBatch(prompts.map((p) => [...p]), padId, paddingSide(model))
  const shape: [number, number] = [prompts.length, ids[0]?.length ?? 0]
  const idsTensor = tf.tensor2d(ids.flat(), shape, "int32")
  const maskTensor = tf.tensor2d(attentionMask.flat(), shape, "int32")
  try {
    return await generateWith(model, adapter, idsTensor, maskTensor, options)
  } finally {
    tf.dispose([idsTensor, maskTensor])
  }
}

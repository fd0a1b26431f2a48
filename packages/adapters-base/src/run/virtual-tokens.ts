// Prompt tuning's virtual tokens go before each row's embeddings, and the attention mask
// grows by as many ones; outputs at the virtual positions are dropped again afterwards.
import * as tf from "@tensorflow/tfjs"

export interface PromptedInput {
  readonly embeds: tf.Tensor3D
  readonly attentionMask: tf.Tensor2D
  /** How many positions were put in front. */
  readonly virtual: number
}

export const prependVirtualTokens = (embeds: tf.Tensor3D, attentionMask: tf.Tensor2D, virtualTokens: tf.Tensor2D | undefined): PromptedInput => {
  if (!virtualTokens) return { embeds, attentionMask, virtual: 0 }
  const [batch] = embeds.shape
  const virtual = virtualTokens.shape[0]
  return {
    embeds: tf.concat([virtualTokens.expandDims(0).tile([batch, 1, 1]) as tf.Tensor3D, embeds], 1),
    attentionMask: tf.concat([tf.ones([batch, virtual], attentionMask.dtype), attentionMask], 1) as tf.Tensor2D,
    virtual,
  }
}

/** [batch, virtual + time, ...] -> [batch, time, ...] */
export const dropVirtualPositions = <T extends tf.Tensor3D>(outputs: T, virtual: number): T => {
  if (virtual === 0) return outputs
  const [batch, time, width] = outputs.shape
  return outputs.slice([0, virtual, 0], [batch, time - virtual, width]) as T
}

// An encoder with an adapter (PEFT's models for token classification and question answering):
// hidden states come back aligned with the caller's tokens, virtual positions dropped.
import * as tf from "@tensorflow/tfjs"
import type { EncoderModel } from "@peftlab/models"
import type { Adapter } from "../adapter.ts"
import { injectInto } from "./inject-into.ts"
import { dropVirtualPositions, prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinears } from "./with-linears.ts"

export interface EncoderBatch {
  readonly ids: tf.Tensor2D
  readonly attentionMask: tf.Tensor2D
  readonly tokenTypeIds?: tf.Tensor2D
}

/**
 * Last hidden states [batch, time, hidden], plus, when the model has a pooler, the pooled first
 * position [batch, hidden] (before any virtual tokens are dropped, as PEFT pools position 0).
 */
export const encoderOutputs = (model: EncoderModel, adapter: Adapter, batch: EncoderBatch): { hidden: tf.Tensor3D; pooled?: tf.Tensor2D } =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, batch.ids.shape[0])
    const input = prependVirtualTokens(runner.embed(batch.ids), batch.attentionMask, injection.virtualTokens)
    const tokenTypeIds =
      batch.tokenTypeIds && input.virtual > 0
        ? (tf.concat([tf.zeros([batch.ids.shape[0], input.virtual], "int32"), batch.tokenTypeIds.toInt()], 1) as tf.Tensor2D)
        : batch.tokenTypeIds
    return withLinears(runner, injection.linears, () => {
      const hidden = runner.encode({ embeds: input.embeds, attentionMask: input.attentionMask, tokenTypeIds, prefix: injection.prefix?.encoder })
      return { hidden: dropVirtualPositions(hidden, input.virtual), ...(runner.hasPooler && { pooled: runner.pool(hidden) }) }
    })
  })

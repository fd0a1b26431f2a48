// A decoder-only model with an adapter (PEFT's PeftModelForCausalLM).
import * as tf from "@tensorflow/tfjs"
import { nextTokenLosses, tokenLogProbs, type CausalLM } from "@peftlab/models"
import type { Adapter } from "../adapter.ts"
import { injectInto } from "./inject-into.ts"
import { dropVirtualPositions, prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinears } from "./with-linears.ts"

/**
 * Next-token logits [batch, time, vocab] aligned with `ids`, whatever the adapter adds hidden; or,
 * given `positions` [batch, k] (positions of `ids`), only the logits there, [batch, k, vocab].
 */
export const causalLogits = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D, positions?: tf.Tensor2D): tf.Tensor3D =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, ids.shape[0])
    const input = prependVirtualTokens(runner.embed(ids), attentionMask, injection.virtualTokens)
    const pass = { embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder }
    return withLinears(runner, injection.linears, () => {
      if (positions) return runner.forward({ ...pass, outputPositions: positions.toInt().add(input.virtual) as tf.Tensor2D })
      // The LM head runs on the caller's positions only, not on the virtual tokens'.
      const hidden = dropVirtualPositions(runner.forward({ ...pass, hiddenStates: true }), input.virtual)
      return lmHead(runner).apply(hidden) as tf.Tensor3D
    })
  })

/**
 * -log p(ids[:, t] | ids[:, <t]) for t = 1..T-1 ([batch, T-1]), the next-token losses of
 * `causalLogits`, without materialising the logits when the LM head is frozen (see
 * nextTokenLosses); with a trained head (an adapter's or a fine-tuned copy's) from the logits.
 */
/** The model's LM head as the pass runs it (an adapter's module in its place, if it brings one). */
const lmHead = (runner: CausalLM) => {
  const head = runner.linears.get("lm_head")
  if (!head) throw new Error(`the ${runner.architecture} model has no lm_head module`)
  return head
}

export const causalNextTokenLosses = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, ids.shape[0])
    if (runner !== model || injection.linears?.has("lm_head")) return tokenLogProbs(causalLogits(model, adapter, ids, attentionMask), ids).neg() as tf.Tensor2D
    const input = prependVirtualTokens(runner.embed(ids), attentionMask, injection.virtualTokens)
    const hidden = withLinears(runner, injection.linears, () =>
      runner.forward({ embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder, hiddenStates: true }),
    )
    return nextTokenLosses(lmHead(runner), dropVirtualPositions(hidden, input.virtual), ids)
  })

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
    const logits = withLinears(runner, injection.linears, () =>
      runner.forward({
        embeds: input.embeds,
        attentionMask: input.attentionMask,
        prefix: injection.prefix?.decoder,
        ...(positions && { outputPositions: positions.toInt().add(input.virtual) as tf.Tensor2D }),
      }),
    )
    return positions ? logits : dropVirtualPositions(logits, input.virtual)
  })

/**
 * -log p(ids[:, t] | ids[:, <t]) for t = 1..T-1 ([batch, T-1]), the next-token losses of
 * `causalLogits`, without materialising the logits when the LM head is frozen (see
 * nextTokenLosses); with a trained head (an adapter's or a fine-tuned copy's) from the logits.
 */
export const causalNextTokenLosses = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, ids.shape[0])
    const head = runner.linears.get("lm_head")
    if (!head || runner !== model || injection.linears?.has("lm_head")) return tokenLogProbs(causalLogits(model, adapter, ids, attentionMask), ids).neg() as tf.Tensor2D
    const input = prependVirtualTokens(runner.embed(ids), attentionMask, injection.virtualTokens)
    const hidden = withLinears(runner, injection.linears, () =>
      runner.forward({ embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder, hiddenStates: true }),
    )
    return nextTokenLosses(head, dropVirtualPositions(hidden, input.virtual), ids)
  })

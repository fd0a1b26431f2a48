// A decoder-only model with an adapter (PEFT's PeftModelForCausalLM).
import * as tf from "@tensorflow/tfjs"
import { checkLogitsFit, headTargetLogProbs, nextTokenLosses, selectPositions, type CausalInput, type CausalLM } from "@peftlab/models"
import type { Adapter, Injection } from "../adapter.ts"
import { injectInto } from "./inject-into.ts"
import { dropVirtualPositions, prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinears } from "./with-linears.ts"

/** The model's LM head as the pass runs it (an adapter's module in its place, if it brings one). */
const lmHead = (runner: CausalLM) => {
  const head = runner.linears.get("lm_head")
  if (!head) throw new Error(`the ${runner.architecture} model has no lm_head module`)
  return head
}

/**
 * Runs `use` on the final hidden states [batch, time, hidden] of `ids` (the adapter's virtual
 * positions dropped) and the LM head, inside the adapter's pass (its linear modules in place).
 */
const withHiddenStates = <T extends tf.Tensor>(
  model: CausalLM,
  adapter: Adapter,
  ids: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  use: (hidden: tf.Tensor3D, runner: CausalLM, injection: Injection) => T,
): T =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, ids.shape[0])
    const input = prependVirtualTokens(runner.embed(ids), attentionMask, injection.virtualTokens)
    const pass: CausalInput = { embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder, hiddenStates: true }
    return withLinears(runner, injection.linears, () => use(dropVirtualPositions(runner.forward(pass), input.virtual), runner, injection))
  })

/**
 * Next-token logits [batch, time, vocab] aligned with `ids`, whatever the adapter adds hidden; or,
 * given `positions` [batch, k] (positions of `ids`), only the logits there, [batch, k, vocab].
 * Logits over one device binding are refused (BindingLimitError): score them through
 * causalTargetLogProbs, which never builds them whole.
 */
export const causalLogits = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D, positions?: tf.Tensor2D): tf.Tensor3D =>
  tf.tidy(() => {
    if (positions) {
      const { injection, model: runner } = injectInto(model, adapter, ids.shape[0])
      const input = prependVirtualTokens(runner.embed(ids), attentionMask, injection.virtualTokens)
      const pass = { embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder }
      return withLinears(runner, injection.linears, () => runner.forward({ ...pass, outputPositions: positions.toInt().add(input.virtual) as tf.Tensor2D }))
    }
    // The LM head runs on the caller's positions only, not on the virtual tokens'.
    return withHiddenStates(model, adapter, ids, attentionMask, (hidden, runner) => {
      const head = lmHead(runner)
      checkLogitsFit([hidden.shape[0], hidden.shape[1], head.shape[0]])
      return head.apply(hidden) as tf.Tensor3D
    })
  })

/**
 * log p(targets[:, j]) at `positions[:, j]` of `ids` ([batch, k] each), as [batch, k]: what
 * targetLogProbs gives from `causalLogits(..., positions)`, with the LM head applied in chunks of
 * rows whose logits fit one device binding (headTargetLogProbs), so any batch can be scored.
 */
export const causalTargetLogProbs = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D, positions: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D =>
  withHiddenStates(model, adapter, ids, attentionMask, (hidden, runner) => headTargetLogProbs(lmHead(runner), selectPositions(hidden, positions), targets))

/**
 * -log p(ids[:, t] | ids[:, <t]) for t = 1..T-1 ([batch, T-1]), the next-token losses of
 * `causalLogits`, without materialising the logits when the LM head is frozen (see
 * nextTokenLosses); with a trained head (an adapter's or a fine-tuned copy's), from logits
 * computed in chunks that fit one device binding (headTargetLogProbs).
 */
export const causalNextTokenLosses = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, time] = ids.shape
    return withHiddenStates(model, adapter, ids, attentionMask, (hidden, runner, injection) => {
      const head = lmHead(runner)
      if (runner === model && !injection.linears?.has("lm_head")) return nextTokenLosses(head, hidden, ids)
      const inputs = hidden.slice([0, 0, 0], [batch, time - 1, hidden.shape[2]])
      return headTargetLogProbs(head, inputs, ids.slice([0, 1], [batch, time - 1])).neg() as tf.Tensor2D
    })
  })

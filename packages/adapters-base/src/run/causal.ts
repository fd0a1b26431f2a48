// A decoder-only model with an adapter (PEFT's PeftModelForCausalLM).
import * as tf from "@tensorflow/tfjs"
import { generateCausal, type CausalLM, type GreedyOptions, type KeyValue } from "@peftlab/models"
import type { Adapter, Injection } from "../adapter.ts"
import { dropVirtualPositions, prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinears, withLinearsAsync } from "./with-linears.ts"

/** Next-token logits [batch, time, vocab] aligned with `ids`: whatever the adapter adds is hidden. */
export const causalLogits = (model: CausalLM, adapter: Adapter, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor3D =>
  tf.tidy(() => {
    const injection = adapter.inject(model, ids.shape[0])
    const input = prependVirtualTokens(model.embed(ids), attentionMask, injection.virtualTokens)
    const logits = withLinears(model, injection.linears, () =>
      model.forward({ embeds: input.embeds, attentionMask: input.attentionMask, prefix: injection.prefix?.decoder }),
    )
    return dropVirtualPositions(logits, input.virtual)
  })

/** Greedy continuations of left-padded prompts (see generateCausal), with the adapter applied throughout. */
export const generateCausalWith = async (
  model: CausalLM,
  adapter: Adapter,
  ids: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  options: GreedyOptions,
): Promise<number[][]> => {
  let linears: Injection["linears"]
  let prefix: KeyValue[] | undefined
  const prompt = tf.tidy(() => {
    const injection = adapter.inject(model, ids.shape[0])
    linears = injection.linears
    prefix = injection.prefix?.decoder?.map((kv) => ({ key: tf.keep(kv.key), value: tf.keep(kv.value) }))
    const input = prependVirtualTokens(model.embed(ids), attentionMask, injection.virtualTokens)
    return { embeds: input.embeds, attentionMask: input.attentionMask }
  })
  try {
    return await withLinearsAsync(model, linears, () => generateCausal(model, { ...prompt, prefix }, options))
  } finally {
    tf.dispose([prompt.embeds, prompt.attentionMask, ...(prefix ?? []).flatMap((kv) => [kv.key, kv.value])])
  }
}

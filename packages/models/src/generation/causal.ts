// Greedy generation for decoder-only models. Prompts must be left-padded so that every row's
// last position is a real token; the cache is seeded with the prefix when there is one. Each
// step takes the final hidden states and applies the LM head at the last position only
// (greedyTokens), so a long prompt never builds [batch, time, vocab] logits (over one webgpu
// binding for 8x256 tokens of 32k words).
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { createKeyValueCache } from "../layers/key-value-cache.ts"
import type { KeyValue } from "../model.ts"
import { greedyLoop, greedyTokens, lastTokens, type GreedyOptions } from "./greedy.ts"

export interface CausalPrompt {
  /** [batch, time, hidden] prompt embeddings (virtual tokens included, for prompt tuning). */
  readonly embeds: tf.Tensor3D
  /** [batch, time], left padding marked 0. */
  readonly attentionMask?: tf.Tensor2D
  readonly prefix?: ReadonlyArray<KeyValue>
}

/** The generated ids of each row (up to, not including, its end-of-sequence id). */
export const generateCausal = async (model: CausalLM, prompt: CausalPrompt, options: GreedyOptions): Promise<number[][]> => {
  const [batch, time] = prompt.embeds.shape
  const eos = options.eosTokenIds ?? model.eosTokenIds
  if (options.useCache === false) {
    // Rerun everything each step: the reference the cached path must equal.
    let embeds = tf.keep(prompt.embeds.clone())
    let mask = tf.keep(prompt.attentionMask?.toInt() ?? tf.ones([batch, time], "int32")) as tf.Tensor2D
    try {
      return await greedyLoop(batch, options.maxNewTokens, eos, (previous) => {
        if (previous) {
          const [grownEmbeds, grownMask] = [tf.concat([embeds, model.embed(lastTokens(previous))], 1), tf.concat([mask, tf.ones([batch, 1], "int32")], 1)]
          embeds.dispose()
          mask.dispose()
          embeds = tf.keep(grownEmbeds)
          mask = tf.keep(grownMask as tf.Tensor2D)
        }
        return greedyTokens(model.linears.get("lm_head"), model.forward({ embeds, attentionMask: mask, prefix: prompt.prefix, hiddenStates: true }))
      })
    } finally {
      embeds.dispose()
      mask.dispose()
    }
  }
  const cache = createKeyValueCache(model.dims.num_hidden_layers, prompt.prefix && { batch, entries: prompt.prefix })
  try {
    return await greedyLoop(batch, options.maxNewTokens, eos, (previous) =>
      greedyTokens(
        model.linears.get("lm_head"),
        previous
          ? model.forward({ embeds: model.embed(lastTokens(previous)), attentionMask: tf.ones([batch, 1], "int32"), cache, hiddenStates: true })
          : model.forward({ embeds: prompt.embeds, attentionMask: prompt.attentionMask, cache, hiddenStates: true }),
      ),
    )
  } finally {
    cache.dispose()
  }
}

// Greedy generation for decoder-only models. Prompts must be left-padded so that every row's
// last position is a real token; the cache is seeded with the prefix when there is one.
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { createKeyValueCache } from "../layers/key-value-cache.ts"
import type { KeyValue } from "../model.ts"
import { greedyLoop, lastTokens, type GreedyOptions } from "./greedy.ts"

export interface CausalPrompt {
  /** [batch, time, hidden] prompt embeddings (virtual tokens included, for prompt tuning). */
  readonly embeds: tf.Tensor3D
  /** [batch, time], left padding marked 0. */
  readonly attentionMask?: tf.Tensor2D
  readonly prefix?: ReadonlyArray<KeyValue>
}

export const lastPosition = (logits: tf.Tensor3D): tf.Tensor2D => {
  const [batch, time, vocab] = logits.shape
  return logits.slice([0, time - 1, 0], [batch, 1, vocab]).reshape([batch, vocab])
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
        return lastPosition(model.forward({ embeds, attentionMask: mask, prefix: prompt.prefix }))
      })
    } finally {
      embeds.dispose()
      mask.dispose()
    }
  }
  const cache = createKeyValueCache(model.dims.num_hidden_layers, prompt.prefix && { batch, entries: prompt.prefix })
  try {
    return await greedyLoop(batch, options.maxNewTokens, eos, (previous) =>
      lastPosition(
        previous
          ? model.forward({ embeds: model.embed(lastTokens(previous)), attentionMask: tf.ones([batch, 1], "int32"), cache })
          : model.forward({ embeds: prompt.embeds, attentionMask: prompt.attentionMask, cache }),
      ),
    )
  } finally {
    cache.dispose()
  }
}

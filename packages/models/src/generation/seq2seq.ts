// Greedy generation for encoder-decoder models: the source is encoded once, then the decoder
// starts from decoderStartTokenId and extends one token a step, reusing its cached keys and
// values (and the cross-attention's, projected on the first step) unless told not to. Each step
// applies the LM head at the last position only (greedyTokens).
import * as tf from "@tensorflow/tfjs"
import type { Seq2SeqDecoderCache, Seq2SeqLM, Seq2SeqPrefix } from "../seq2seq-lm.ts"
import { greedyLoop, greedyTokens, lastTokens, type GreedyOptions } from "./greedy.ts"

export interface Seq2SeqSource {
  /** [batch, time, hidden] source embeddings (virtual tokens included, for prompt tuning). */
  readonly embeds: tf.Tensor3D
  /** [batch, time], padding marked 0 (either side: the encoder is bidirectional). */
  readonly attentionMask?: tf.Tensor2D
  readonly prefix?: Seq2SeqPrefix
}

/** The generated ids of each row (up to, not including, its end-of-sequence id). */
export const generateSeq2Seq = async (model: Seq2SeqLM, source: Seq2SeqSource, options: GreedyOptions): Promise<number[][]> => {
  const batch = source.embeds.shape[0]
  const eos = options.eosTokenIds ?? model.eosTokenIds
  const { encoder, ...decoderPrefix } = source.prefix ?? {}
  const encoderHidden = model.encode({ embeds: source.embeds, attentionMask: source.attentionMask, prefix: encoder })
  const decode = (ids: tf.Tensor2D, cache?: Seq2SeqDecoderCache) =>
    greedyTokens(
      model.linears.get("lm_head"),
      model.decode({
        embeds: model.embed(ids),
        encoderHidden,
        encoderMask: source.attentionMask,
        ...(cache ? { cache } : { prefix: decoderPrefix }),
        hiddenStates: true,
      }),
    )
  try {
    if (options.useCache === false) {
      // Rerun the decoder over the whole target each step: the reference the cached path must equal.
      const targets = Array.from({ length: batch }, () => [model.decoderStartTokenId])
      return await greedyLoop(batch, options.maxNewTokens, eos, (previous) => {
        previous?.forEach((token, row) => targets[row]!.push(token))
        return decode(tf.tensor2d(targets, undefined, "int32"))
      })
    }
    const cache = model.createCache(batch, decoderPrefix)
    try {
      const start = () => tf.fill([batch, 1], model.decoderStartTokenId, "int32") as tf.Tensor2D
      return await greedyLoop(batch, options.maxNewTokens, eos, (previous) => decode(previous ? lastTokens(previous) : start(), cache))
    } finally {
      cache.dispose()
    }
  } finally {
    encoderHidden.dispose()
  }
}

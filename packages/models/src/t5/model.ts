// The T5 encoder-decoder (as HF T5ForConditionalGeneration). Each block of a stack runs
// h += attention(rmsNorm(h)), in the decoder then h += crossAttention(rmsNorm(h), encoder output),
// then h += feedForward(rmsNorm(h)); a final rmsNorm ends each stack. The relative position bias
// comes from the stack's first block and is added in every block. The LM head is `shared` with
// the decoder output scaled by d_model^-0.5 when tied (T5), else lm_head unscaled (FLAN-T5).
import * as tf from "@tensorflow/tfjs"
import { attentionBias } from "../layers/attention-bias.ts"
import { checkInput } from "../layers/check-input.ts"
import { embedTokens } from "../layers/embedding.ts"
import { linearModules } from "../layers/linear-modules.ts"
import { checkPrefix, pastJoiner } from "../layers/past.ts"
import { fullAttentionMask } from "../layers/positions.ts"
import { linearModule, type Matrix } from "../layers/projection.ts"
import { rmsNorm } from "../layers/rms-norm.ts"
import type { KeyValue } from "../model.ts"
import { countParameters, disposeParameters, type Parameters } from "../parameters.ts"
import type { Seq2SeqLM } from "../seq2seq-lm.ts"
import { projectKeyValue, t5Attention, type AttentionModules } from "./attention.ts"
import type { T5Config } from "./config.ts"
import { asT5DecoderCache, createT5DecoderCache } from "./decoder-cache.ts"
import { feedForward } from "./feed-forward.ts"
import { finalNormName, layerNormName, moduleName, relativeBiasName, sharedName, t5LinearShapes, type Stack } from "./parameter-names.ts"
import { positionBias } from "./relative-position.ts"

export interface T5Model extends Seq2SeqLM {
  readonly config: T5Config
}

/** `parameters` must hold every tensor of t5ParameterShapes(config) (see loadParameters). */
export const t5Model = (config: T5Config, parameters: Parameters): T5Model => {
  const parameter = <T extends tf.Tensor | Matrix>(name: string): T => parameters.get(name) as T
  const shared = parameter<Matrix>(sharedName)

  // The modules built here are ours to dispose, whatever adapters later put in `linears`.
  const ownLinears = [...t5LinearShapes(config).keys()].map((name) =>
    linearModule(name, name === "lm_head" && config.tie_word_embeddings ? shared : parameter<Matrix>(`${name}.weight`)),
  )
  const { linears, module } = linearModules(ownLinears)

  const heads = { heads: config.num_heads, headDim: config.d_kv }
  const norm = (x: tf.Tensor3D, name: string) => rmsNorm(x, parameter(name), config.layer_norm_epsilon)
  const layers = { encoder: config.num_layers, decoder: config.num_decoder_layers }

  /** [1, heads, time, past + time]: the stack's position bias for queries after `past` positions. */
  const stackPositionBias = (stack: Stack, past: number, time: number) =>
    positionBias(parameter(relativeBiasName(stack)), past, time, past + time, {
      bidirectional: stack === "encoder",
      numBuckets: config.relative_attention_num_buckets,
      maxDistance: config.relative_attention_max_distance,
    })

  /** h + attention(rmsNorm(h)), the keys and values given by `keyValue` from the normed input. */
  const attentionSublayer = (
    h: tf.Tensor3D,
    stack: Stack,
    block: number,
    sublayer: "SelfAttention" | "EncDecAttention",
    bias: tf.Tensor4D,
    keyValue: (x: tf.Tensor3D, modules: AttentionModules) => KeyValue,
  ): tf.Tensor3D => {
    const name = moduleName(stack, block, sublayer)
    const modules = { q: module(`${name}.q`), k: module(`${name}.k`), v: module(`${name}.v`), o: module(`${name}.o`) }
    const x = norm(h, layerNormName(stack, block, sublayer))
    return h.add(t5Attention(x, modules, heads, keyValue(x, modules), bias))
  }

  const feedForwardSublayer = (h: tf.Tensor3D, stack: Stack, block: number): tf.Tensor3D => {
    const name = moduleName(stack, block, "DenseReluDense")
    const x = norm(h, layerNormName(stack, block, "DenseReluDense"))
    return h.add(feedForward(x, config.feed_forward_proj, (projection) => module(`${name}.${projection}`)))
  }

  /** The prefix's positions, after checking there is one [batch, heads, positions, d_kv] entry per layer of the stack. */
  const prefixLength = (label: string, prefix: ReadonlyArray<KeyValue>, stack: Stack, batch: number): number =>
    checkPrefix(prefix, { batch, layers: layers[stack], kvHeads: config.num_heads, headDim: config.d_kv, label })

  const checkEncoderOutput = (encoderHidden: tf.Tensor3D, encoderMask: tf.Tensor2D | undefined, batch: number): void => {
    const [rows, time, hidden] = encoderHidden.shape
    if (rows !== batch || hidden !== config.d_model) {
      throw new RangeError(`encoderHidden: expected shape [${batch}, time, ${config.d_model}], got [${encoderHidden.shape.join(", ")}]`)
    }
    if (encoderMask && (encoderMask.shape[0] !== batch || encoderMask.shape[1] !== time)) {
      throw new RangeError(`encoderMask: expected shape [${batch}, ${time}], got [${encoderMask.shape.join(", ")}]`)
    }
  }

  return {
    kind: "seq2seq",
    architecture: "t5",
    config,
    dims: {
      hidden_size: config.d_model,
      num_hidden_layers: config.num_layers,
      num_attention_heads: config.num_heads,
      num_key_value_heads: config.num_heads,
      head_dim: config.d_kv,
      vocab_size: config.vocab_size,
    },
    eosTokenIds: config.eos_token_ids,
    decoderStartTokenId: config.decoder_start_token_id,
    parameters,
    linears,
    embed: (ids) => embedTokens(shared, ids),

    encode: ({ embeds, attentionMask, prefix }) => {
      const [batch, time] = embeds.shape
      // An extension beyond PEFT: prefix keys sit at positions 0..p-1, the tokens after them.
      const past = prefix ? prefixLength("prefix", prefix, "encoder", batch) : 0
      checkInput(embeds, attentionMask, { hidden: config.d_model, pastLength: past })
      return tf.tidy(() => {
        const keyMask = fullAttentionMask(batch, time, past, undefined, attentionMask)
        const bias = attentionBias(time, past + time, { causal: false, keyMask }).add<tf.Tensor4D>(stackPositionBias("encoder", past, time))
        let h = embeds
        for (let block = 0; block < layers.encoder; block++) {
          const joinPast = pastJoiner(block, prefix, undefined)
          h = attentionSublayer(h, "encoder", block, "SelfAttention", bias, (x, modules) => joinPast(projectKeyValue(x, modules, heads)))
          h = feedForwardSublayer(h, "encoder", block)
        }
        return norm(h, finalNormName("encoder"))
      })
    },

    decode: ({ embeds, attentionMask, encoderHidden, encoderMask, prefix, cache }) => {
      if (prefix && cache) throw new RangeError("decode: give a prefix or a cache (seeded with the prefix), not both")
      const t5Cache = cache && asT5DecoderCache(cache)
      const [batch, time] = embeds.shape
      const sourceTime = encoderHidden.shape[1]
      const past = t5Cache ? t5Cache.length : prefix?.decoder ? prefixLength("prefix.decoder", prefix.decoder, "decoder", batch) : 0
      const crossPast = t5Cache ? t5Cache.crossPrefixLength : prefix?.cross ? prefixLength("prefix.cross", prefix.cross, "decoder", batch) : 0
      checkInput(embeds, attentionMask, { hidden: config.d_model, pastLength: past })
      checkEncoderOutput(encoderHidden, encoderMask, batch)
      return tf.tidy(() => {
        const keyMask = fullAttentionMask(batch, time, past, t5Cache?.self.mask, attentionMask)
        const bias = attentionBias(time, past + time, { causal: true, keyMask }).add<tf.Tensor4D>(stackPositionBias("decoder", past, time))
        // Cross-attention has no position bias, and its prefix is never masked.
        const crossMask = fullAttentionMask(batch, sourceTime, crossPast, undefined, encoderMask)
        const crossBias = attentionBias(time, crossPast + sourceTime, { causal: false, keyMask: crossMask })
        let h = embeds
        for (let block = 0; block < layers.decoder; block++) {
          const joinPast = pastJoiner(block, prefix?.decoder, t5Cache?.self)
          h = attentionSublayer(h, "decoder", block, "SelfAttention", bias, (x, modules) => joinPast(projectKeyValue(x, modules, heads)))
          h = attentionSublayer(h, "decoder", block, "EncDecAttention", crossBias, (_, modules) => {
            const project = () => projectKeyValue(encoderHidden, modules, heads)
            return t5Cache ? t5Cache.crossKeyValue(block, project) : pastJoiner(block, prefix?.cross, undefined)(project())
          })
          h = feedForwardSublayer(h, "decoder", block)
        }
        t5Cache?.self.commit(keyMask)
        const out = norm(h, finalNormName("decoder"))
        return module("lm_head").apply(config.tie_word_embeddings ? out.mul(config.d_model ** -0.5) : out) as tf.Tensor3D
      })
    },

    createCache: (batch, prefix) => {
      if (prefix?.decoder) prefixLength("prefix.decoder", prefix.decoder, "decoder", batch)
      if (prefix?.cross) prefixLength("prefix.cross", prefix.cross, "decoder", batch)
      return createT5DecoderCache(layers.decoder, batch, prefix)
    },

    parameterCount: () => countParameters(parameters),
    dispose: () => {
      for (const own of ownLinears) own.dispose()
      disposeParameters(parameters)
    },
  }
}

// The T5 encoder-decoder (as HF T5ForConditionalGeneration). Each block of a stack runs
// h += attention(rmsNorm(h)), in the decoder then h += crossAttention(rmsNorm(h), encoder output),
// then h += feedForward(rmsNorm(h)); a final rmsNorm ends each stack. The relative position bias
// comes from the stack's first block and is added in every block. The LM head is `shared` with
// the decoder output scaled by d_model^-0.5 when tied (T5), else lm_head unscaled (FLAN-T5).
// With gradient checkpointing on, each block (outside cached generation) is recomputed in the
// backward pass from its inputs, which go in explicitly (see layers/checkpoint.ts).
import * as tf from "@tensorflow/tfjs"
import { attentionBias } from "../layers/attention-bias.ts"
import { checkInput } from "../layers/check-input.ts"
import { checkpointed } from "../layers/checkpoint.ts"
import { embedTokens } from "../layers/embedding.ts"
import type { Linear } from "../layers/linear.ts"
import { linearModules } from "../layers/linear-modules.ts"
import { lmHeadLogits } from "../layers/lm-head.ts"
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
    lookup: (name: string) => Linear,
  ): tf.Tensor3D => {
    const name = moduleName(stack, block, sublayer)
    const modules = { q: lookup(`${name}.q`), k: lookup(`${name}.k`), v: lookup(`${name}.v`), o: lookup(`${name}.o`) }
    const x = norm(h, layerNormName(stack, block, sublayer))
    return h.add(t5Attention(x, modules, heads, keyValue(x, modules), bias))
  }

  const feedForwardSublayer = (h: tf.Tensor3D, stack: Stack, block: number, lookup: (name: string) => Linear): tf.Tensor3D => {
    const name = moduleName(stack, block, "DenseReluDense")
    const x = norm(h, layerNormName(stack, block, "DenseReluDense"))
    return h.add(feedForward(x, config.feed_forward_proj, (projection) => lookup(`${name}.${projection}`)))
  }

  const gradientCheckpointing = { enabled: false }

  /**
   * `run` over `inputs`, checkpointed while gradient checkpointing is on (see layers/checkpoint.ts),
   * with the block's modules now in the model resolved before it runs.
   */
  const block = (stack: Stack, index: number, inputs: ReadonlyArray<tf.Tensor>, run: (inputs: ReadonlyArray<tf.Tensor>, lookup: (name: string) => Linear) => tf.Tensor3D): tf.Tensor3D => {
    if (!gradientCheckpointing.enabled) return run(inputs, module)
    const prefix = `${stack}.block.${index}.`
    const modules = new Map([...linears].filter(([name]) => name.startsWith(prefix)))
    const lookup = (name: string) => modules.get(name) ?? module(name)
    return checkpointed((...xs) => run(xs, lookup), inputs)
  }

  /** One prefix entry as a joiner at layer 0 of its own, from the block's inputs (nothing when absent). */
  const joinerOf = (kv: ReadonlyArray<tf.Tensor>) => pastJoiner(0, kv.length > 0 ? [{ key: kv[0] as tf.Tensor4D, value: kv[1] as tf.Tensor4D }] : undefined, undefined)
  const prefixInputs = (entry: KeyValue | undefined): Array<tf.Tensor> => (entry ? [entry.key, entry.value] : [])

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
    gradientCheckpointing,
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
        for (let index = 0; index < layers.encoder; index++) {
          h = block("encoder", index, [h, bias, ...prefixInputs(prefix?.[index])], ([x, b, ...kv], lookup) => {
            const joinPast = joinerOf(kv)
            const attended = attentionSublayer(x as tf.Tensor3D, "encoder", index, "SelfAttention", b as tf.Tensor4D, (y, modules) => joinPast(projectKeyValue(y, modules, heads)), lookup)
            return feedForwardSublayer(attended, "encoder", index, lookup)
          })
        }
        return norm(h, finalNormName("encoder"))
      })
    },

    decode: ({ embeds, attentionMask, encoderHidden, encoderMask, prefix, cache, outputPositions, hiddenStates }) => {
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
        for (let index = 0; index < layers.decoder; index++) {
          /** The block over its inputs: the self-attention's joiner, and the cross-attention's keys and values from its modules. */
          const run = (x: tf.Tensor3D, biases: readonly [tf.Tensor4D, tf.Tensor4D], selfJoin: (current: KeyValue) => KeyValue, crossKeyValue: (modules: AttentionModules) => KeyValue, lookup: (name: string) => Linear) => {
            const attended = attentionSublayer(x, "decoder", index, "SelfAttention", biases[0], (y, modules) => selfJoin(projectKeyValue(y, modules, heads)), lookup)
            const crossed = attentionSublayer(attended, "decoder", index, "EncDecAttention", biases[1], (_, modules) => crossKeyValue(modules), lookup)
            return feedForwardSublayer(crossed, "decoder", index, lookup)
          }
          if (t5Cache) {
            const cached = t5Cache
            h = run(h, [bias, crossBias], pastJoiner(index, undefined, cached.self), (modules) => cached.crossKeyValue(index, () => projectKeyValue(encoderHidden, modules, heads)), module)
            continue
          }
          const selfPrefix = prefixInputs(prefix?.decoder?.[index])
          const crossPrefix = prefixInputs(prefix?.cross?.[index])
          h = block("decoder", index, [h, encoderHidden, bias, crossBias, ...selfPrefix, ...crossPrefix], ([x, memory, selfBias, cross, ...kv], lookup) => {
            const crossJoin = joinerOf(kv.slice(selfPrefix.length))
            return run(x as tf.Tensor3D, [selfBias as tf.Tensor4D, cross as tf.Tensor4D], joinerOf(kv.slice(0, selfPrefix.length)), (modules) => crossJoin(projectKeyValue(memory as tf.Tensor3D, modules, heads)), lookup)
          })
        }
        t5Cache?.self.commit(keyMask)
        const out = norm(h, finalNormName("decoder"))
        const headInput = config.tie_word_embeddings ? out.mul<tf.Tensor3D>(config.d_model ** -0.5) : out
        return hiddenStates ? headInput : lmHeadLogits(module("lm_head"), headInput, outputPositions)
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

// The Llama decoder (as HF LlamaForCausalLM): embeddings, then per layer
// h += attention(rmsNorm(h)); h += mlp(rmsNorm(h)); then a final rmsNorm and the LM head
// (the embedding matrix itself when tie_word_embeddings is set).
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import type { KeyValueCache } from "../layers/key-value-cache.ts"
import { linear, type Linear } from "../layers/linear.ts"
import { fullAttentionMask, positionIds } from "../layers/positions.ts"
import type { KeyValue } from "../model.ts"
import { attention } from "./attention.ts"
import type { LlamaConfig } from "./config.ts"
import { mlp } from "./mlp.ts"
import { embedName, finalNormName, layerLinears, layerPrefix, lmHeadName } from "./parameter-names.ts"
import { rmsNorm } from "./rms-norm.ts"
import { makeRope } from "./rope.ts"

export interface LlamaCausalLM extends CausalLM {
  readonly config: LlamaConfig
}

/** `parameters` must hold every tensor of llamaParameterShapes(config) (see loadParameters). */
export const llamaCausalLM = (config: LlamaConfig, parameters: ReadonlyMap<string, tf.Tensor>): LlamaCausalLM => {
  const parameter = <T extends tf.Tensor>(name: string): T => parameters.get(name) as T
  const embedding = parameter<tf.Tensor2D>(embedName)

  // The modules built here are ours to dispose, whatever adapters later put in `linears`.
  const ownLinears: Array<Linear> = []
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const suffix of layerLinears) {
      const name = `${layerPrefix(layer)}.${suffix}`
      ownLinears.push(linear(name, parameter(`${name}.weight`)))
    }
  }
  ownLinears.push(linear("lm_head", config.tie_word_embeddings ? embedding : parameter(lmHeadName)))
  const linears = new Map(ownLinears.map((module) => [module.name, module]))
  const module = (name: string): Linear => {
    const found = linears.get(name)
    if (found === undefined) throw new Error(`the model has no linear module "${name}"`)
    return found
  }

  const rope = makeRope(config.head_dim, config.max_position_embeddings, config.rope_theta)
  const heads = { heads: config.num_attention_heads, kvHeads: config.num_key_value_heads, headDim: config.head_dim }
  const norm = (x: tf.Tensor3D, name: string) => rmsNorm(x, parameter(name), config.rms_norm_eps)

  const decoderLayer = (
    h: tf.Tensor3D,
    layer: number,
    context: { bias: tf.Tensor4D; positions: tf.Tensor2D; joinPast: (current: KeyValue) => KeyValue },
  ): tf.Tensor3D => {
    const prefix = layerPrefix(layer)
    const attended = h.add<tf.Tensor3D>(
      attention(
        norm(h, `${prefix}.input_layernorm.weight`),
        {
          q: module(`${prefix}.self_attn.q_proj`),
          k: module(`${prefix}.self_attn.k_proj`),
          v: module(`${prefix}.self_attn.v_proj`),
          o: module(`${prefix}.self_attn.o_proj`),
        },
        heads,
        { rope, positions: context.positions },
        context.bias,
        context.joinPast,
      ),
    )
    return attended.add<tf.Tensor3D>(
      mlp(norm(attended, `${prefix}.post_attention_layernorm.weight`), {
        gate: module(`${prefix}.mlp.gate_proj`),
        up: module(`${prefix}.mlp.up_proj`),
        down: module(`${prefix}.mlp.down_proj`),
      }),
    )
  }

  /** The number of prefix positions, after checking each layer's prefix has the same shape. */
  const checkPrefix = (batch: number, prefix: ReadonlyArray<KeyValue>): number => {
    if (prefix.length !== config.num_hidden_layers) {
      throw new RangeError(`prefix: expected one entry per layer (${config.num_hidden_layers}), got ${prefix.length}`)
    }
    const length = prefix[0]?.key.shape[2] ?? 0
    const expected = [batch, config.num_key_value_heads, length, config.head_dim].join(", ")
    prefix.forEach(({ key, value }, layer) => {
      for (const [name, t] of [["key", key], ["value", value]] as const) {
        if (t.shape.join(", ") !== expected) throw new RangeError(`prefix[${layer}].${name}: expected shape [${expected}], got [${t.shape.join(", ")}]`)
      }
    })
    return length
  }

  const checkInput = (embeds: tf.Tensor3D, attentionMask: tf.Tensor2D | undefined, pastLength: number): void => {
    const [batch, time, hidden] = embeds.shape
    if (hidden !== config.hidden_size) throw new RangeError(`embeds: expected hidden size ${config.hidden_size}, got ${hidden}`)
    if (pastLength + time > config.max_position_embeddings) {
      throw new RangeError(`embeds: ${pastLength + time} positions (prefix included) exceed max_position_embeddings ${config.max_position_embeddings}`)
    }
    if (attentionMask && (attentionMask.shape[0] !== batch || attentionMask.shape[1] !== time)) {
      throw new RangeError(`attentionMask: expected shape [${batch}, ${time}], got [${attentionMask.shape.join(", ")}]`)
    }
  }

  /** Per layer: the keys and values to attend to, the cached or prefix ones first. */
  const pastJoiner = (layer: number, prefix: ReadonlyArray<KeyValue> | undefined, cache: KeyValueCache | undefined) =>
    (current: KeyValue): KeyValue => {
      if (cache) return cache.extend(layer, current)
      const past = prefix?.[layer]
      return past ? { key: tf.concat([past.key, current.key], 2), value: tf.concat([past.value, current.value], 2) } : current
    }

  return {
    kind: "causal",
    architecture: "llama",
    config,
    dims: config,
    eosTokenIds: config.eos_token_ids,
    parameters,
    linears,
    embed: (ids) => tf.tidy(() => tf.gather(embedding as tf.Tensor, ids.toInt()) as tf.Tensor3D),
    forward: ({ embeds, attentionMask, prefix, cache }) => {
      if (prefix && cache) throw new RangeError("forward: give a prefix or a cache (seeded with the prefix), not both")
      const [batch, time] = embeds.shape
      const pastLength = prefix ? checkPrefix(batch, prefix) : (cache?.length ?? 0)
      checkInput(embeds, attentionMask, pastLength)
      return tf.tidy(() => {
        const keyMask = fullAttentionMask(batch, time, pastLength, cache?.mask, attentionMask)
        const context = {
          bias: attentionBias(time, pastLength + time, { causal: true, keyMask }),
          positions: positionIds(keyMask, time),
        }
        let h = embeds
        for (let layer = 0; layer < config.num_hidden_layers; layer++) {
          h = decoderLayer(h, layer, { ...context, joinPast: pastJoiner(layer, prefix, cache) })
        }
        cache?.commit(keyMask)
        return module("lm_head").apply(norm(h, finalNormName)) as tf.Tensor3D
      })
    },
    parameterCount: () => [...parameters.values()].reduce((sum, t) => sum + t.size, 0),
    dispose: () => {
      for (const own of ownLinears) own.dispose()
      for (const t of parameters.values()) t.dispose()
      rope.dispose()
    },
  }
}

// The Llama decoder (as HF LlamaForCausalLM): embeddings, then per layer
// h += attention(rmsNorm(h)); h += mlp(rmsNorm(h)); then a final rmsNorm and the LM head
// (the embedding matrix itself when tie_word_embeddings is set).
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import { checkpointed } from "../layers/checkpoint.ts"
import { checkInput } from "../layers/check-input.ts"
import { embedTokens } from "../layers/embedding.ts"
import type { Linear } from "../layers/linear.ts"
import { linearModule, type Matrix } from "../layers/projection.ts"
import { linearModules } from "../layers/linear-modules.ts"
import { lmHeadLogits } from "../layers/lm-head.ts"
import { pastJoiner, pastLength } from "../layers/past.ts"
import { fullAttentionMask, positionIds } from "../layers/positions.ts"
import type { KeyValue } from "../model.ts"
import { countParameters, disposeParameters, type Parameters } from "../parameters.ts"
import { attention } from "./attention.ts"
import type { LlamaConfig } from "./config.ts"
import { mlp } from "./mlp.ts"
import { embedName, finalNormName, layerLinears, layerPrefix, lmHeadName } from "./parameter-names.ts"
import { rmsNorm } from "../layers/rms-norm.ts"
import { makeRope } from "./rope.ts"

export interface LlamaCausalLM extends CausalLM {
  readonly config: LlamaConfig
}

/** `parameters` must hold every tensor of llamaParameterShapes(config) (see loadParameters). */
export const llamaCausalLM = (config: LlamaConfig, parameters: Parameters): LlamaCausalLM => {
  const parameter = <T extends tf.Tensor | Matrix>(name: string): T => parameters.get(name) as T
  const embedding = parameter<Matrix>(embedName)

  // The modules built here are ours to dispose, whatever adapters later put in `linears`.
  const ownLinears: Array<Linear> = []
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const suffix of layerLinears) {
      const name = `${layerPrefix(layer)}.${suffix}`
      ownLinears.push(linearModule(name, parameter(`${name}.weight`), parameters.get(`${name}.bias`) as tf.Tensor1D | undefined))
    }
  }
  ownLinears.push(linearModule("lm_head", config.tie_word_embeddings ? embedding : parameter(lmHeadName)))
  const { linears, module } = linearModules(ownLinears)

  const rope = makeRope(config.head_dim, config.max_position_embeddings, config.rope_theta)
  const heads = { heads: config.num_attention_heads, kvHeads: config.num_key_value_heads, headDim: config.head_dim }
  const norm = (x: tf.Tensor3D, name: string) => rmsNorm(x, parameter(name), config.rms_norm_eps)

  const gradientCheckpointing = { enabled: false }

  const decoderLayer = (
    h: tf.Tensor3D,
    layer: number,
    context: { bias: tf.Tensor4D; positions: tf.Tensor2D; joinPast: (current: KeyValue) => KeyValue },
    module: (name: string) => Linear,
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

  return {
    kind: "causal",
    architecture: config.model_type,
    config,
    dims: config,
    eosTokenIds: config.eos_token_ids,
    parameters,
    linears,
    gradientCheckpointing,
    embed: (ids) => embedTokens(embedding, ids),
    forward: ({ embeds, attentionMask, prefix, cache, outputPositions, hiddenStates }) => {
      const [batch, time] = embeds.shape
      const past = pastLength(prefix, cache, { batch, layers: config.num_hidden_layers, kvHeads: config.num_key_value_heads, headDim: config.head_dim })
      checkInput(embeds, attentionMask, {
        hidden: config.hidden_size,
        pastLength: past,
        maxPositions: { field: "max_position_embeddings", value: config.max_position_embeddings },
      })
      return tf.tidy(() => {
        const keyMask = fullAttentionMask(batch, time, past, cache?.mask, attentionMask)
        const context = {
          bias: attentionBias(time, past + time, { causal: true, keyMask, ...(config.sliding_window !== undefined && { window: config.sliding_window }) }),
          positions: positionIds(keyMask, time),
        }
        let h = embeds
        for (let layer = 0; layer < config.num_hidden_layers; layer++) {
          const layerPast = prefix?.[layer]
          if (gradientCheckpointing.enabled && cache === undefined) {
            // The layer's inputs made by this pass go in explicitly, so the recomputation has
            // them, and so do the modules in the model now (an adapter's, during this call).
            const modules = new Map([...linears].filter(([name]) => name.startsWith(`${layerPrefix(layer)}.`)))
            const run = (x: tf.Tensor, bias: tf.Tensor, positions: tf.Tensor, ...kv: Array<tf.Tensor>) =>
              decoderLayer(
                x as tf.Tensor3D,
                layer,
                {
                  bias: bias as tf.Tensor4D,
                  positions: positions as tf.Tensor2D,
                  joinPast: pastJoiner(0, kv.length > 0 ? [{ key: kv[0] as tf.Tensor4D, value: kv[1] as tf.Tensor4D }] : undefined, undefined),
                },
                (name) => modules.get(name) ?? module(name),
              )
            h = checkpointed((...xs) => run(xs[0]!, xs[1]!, xs[2]!, ...xs.slice(3)), [h, context.bias, context.positions, ...(layerPast ? [layerPast.key, layerPast.value] : [])])
          } else h = decoderLayer(h, layer, { ...context, joinPast: pastJoiner(layer, prefix, cache) }, module)
        }
        cache?.commit(keyMask)
        const normed = norm(h, finalNormName)
        return hiddenStates ? normed : lmHeadLogits(module("lm_head"), normed, outputPositions)
      })
    },
    parameterCount: () => countParameters(parameters),
    dispose: () => {
      for (const own of ownLinears) own.dispose()
      disposeParameters(parameters)
      rope.dispose()
    },
  }
}

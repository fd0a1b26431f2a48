// The Falcon decoder (as HF FalconForCausalLM): token embeddings, then per layer attention and MLP
// combined as the config's layer form says (sequential, parallel off one LayerNorm, or parallel off
// two), a final LayerNorm ln_f and the LM head (the embedding matrix itself unless
// tie_word_embeddings is false). Positions are rotary, or ALiBi biases with the attention mask.
import type * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import { decoderCausalLM, type DecoderLayer } from "../layers/decoder-stack.ts"
import { layerNorm } from "../layers/layer-norm.ts"
import { makeRope } from "../llama/rope.ts"
import type { Parameters } from "../parameters.ts"
import { makeAlibi } from "./alibi.ts"
import { attention } from "./attention.ts"
import type { FalconConfig } from "./config.ts"
import { mlp } from "./mlp.ts"
import { embedName, finalNormName, layerLinears, layerPrefix, lmHeadName } from "./parameter-names.ts"

export interface FalconCausalLM extends CausalLM {
  readonly config: FalconConfig
}

/** `parameters` must hold every tensor of falconParameterShapes(config) (see loadParameters). */
export const falconCausalLM = (config: FalconConfig, parameters: Parameters): FalconCausalLM => {
  const positional = config.alibi
    ? { kind: "alibi" as const, alibi: makeAlibi(config.num_attention_heads, config.head_dim, config.max_position_embeddings) }
    : { kind: "rope" as const, rope: makeRope(config.head_dim, config.max_position_embeddings, config.rope_theta) }
  const shape = { heads: config.num_attention_heads, kvHeads: config.num_key_value_heads, headDim: config.head_dim, layout: config.qkvLayout }
  const norm = (x: tf.Tensor3D, name: string) =>
    layerNorm(x, parameters.get(`${name}.weight`) as tf.Tensor1D, parameters.get(`${name}.bias`) as tf.Tensor1D, config.layer_norm_epsilon)

  const layer: DecoderLayer = (h, index, context, module) => {
    const prefix = layerPrefix(index)
    const attend = (x: tf.Tensor3D) =>
      attention(
        x,
        { queryKeyValue: module(`${prefix}.self_attention.query_key_value`), dense: module(`${prefix}.self_attention.dense`) },
        shape,
        positional.kind === "rope" ? { rope: positional.rope, positions: context.positions } : undefined,
        context.bias,
        context.joinPast,
      )
    const feedForward = (x: tf.Tensor3D) => mlp(x, { up: module(`${prefix}.mlp.dense_h_to_4h`), down: module(`${prefix}.mlp.dense_4h_to_h`) })
    switch (config.layerForm) {
      case "sequential": {
        const attended = h.add<tf.Tensor3D>(attend(norm(h, `${prefix}.input_layernorm`)))
        return attended.add<tf.Tensor3D>(feedForward(norm(attended, `${prefix}.post_attention_layernorm`)))
      }
      case "parallel": {
        const normed = norm(h, `${prefix}.input_layernorm`)
        return h.add<tf.Tensor3D>(feedForward(normed).add(attend(normed)))
      }
      case "parallel-two-norms":
        return h.add<tf.Tensor3D>(feedForward(norm(h, `${prefix}.ln_mlp`)).add(attend(norm(h, `${prefix}.ln_attn`))))
    }
  }

  return decoderCausalLM(config, parameters, {
    names: { embed: embedName, lmHead: lmHeadName, layerPrefix, layerLinears },
    layer,
    bias: (time, keyMask) => {
      const mask = attentionBias(time, keyMask.shape[1], { causal: true, keyMask })
      return positional.kind === "alibi" ? mask.add<tf.Tensor4D>(positional.alibi.bias(keyMask)) : mask
    },
    finalNorm: (h) => norm(h, finalNormName),
    dispose: () => (positional.kind === "alibi" ? positional.alibi.dispose() : positional.rope.dispose()),
  })
}

// The Llama decoder (as HF LlamaForCausalLM): embeddings, then per layer
// h += attention(rmsNorm(h)); h += mlp(rmsNorm(h)); then a final rmsNorm and the LM head
// (the embedding matrix itself when tie_word_embeddings is set).
import type * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import { decoderCausalLM, type DecoderLayer } from "../layers/decoder-stack.ts"
import { rmsNorm } from "../layers/rms-norm.ts"
import type { Parameters } from "../parameters.ts"
import { attention } from "./attention.ts"
import type { LlamaConfig } from "./config.ts"
import { mlp } from "./mlp.ts"
import { embedName, finalNormName, layerLinears, layerPrefix, lmHeadName } from "./parameter-names.ts"
import { makeRope } from "./rope.ts"

export interface LlamaCausalLM extends CausalLM {
  readonly config: LlamaConfig
}

/** `parameters` must hold every tensor of llamaParameterShapes(config) (see loadParameters). */
export const llamaCausalLM = (config: LlamaConfig, parameters: Parameters): LlamaCausalLM => {
  const rope = makeRope(config.head_dim, config.max_position_embeddings, config.rope_theta)
  const heads = { heads: config.num_attention_heads, kvHeads: config.num_key_value_heads, headDim: config.head_dim }
  const norm = (x: tf.Tensor3D, name: string) => rmsNorm(x, parameters.get(name) as tf.Tensor1D, config.rms_norm_eps)

  const layer: DecoderLayer = (h, index, context, module) => {
    const prefix = layerPrefix(index)
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

  return decoderCausalLM(config, parameters, {
    names: { embed: embedName, lmHead: lmHeadName, layerPrefix, layerLinears },
    layer,
    bias: (time, keyMask) => attentionBias(time, keyMask.shape[1], { causal: true, keyMask, ...(config.sliding_window !== undefined && { window: config.sliding_window }) }),
    finalNorm: (h) => norm(h, finalNormName),
    dispose: () => rope.dispose(),
  })
}

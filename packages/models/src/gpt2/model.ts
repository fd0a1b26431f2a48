// The GPT-2 decoder (as HF GPT2LMHeadModel): token plus learned position embeddings, then per
// block h += attention(ln_1(h)); h += mlp(ln_2(h)); then ln_f and the LM head (the token
// embedding matrix itself unless tie_word_embeddings is false). With gradient checkpointing on,
// each block is recomputed in the backward pass (layers/layer-pass.ts).
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../causal-lm.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import { checkInput } from "../layers/check-input.ts"
import { layerNorm } from "../layers/layer-norm.ts"
import { embedTokens } from "../layers/embedding.ts"
import type { Linear } from "../layers/linear.ts"
import { linearModules } from "../layers/linear-modules.ts"
import { lmHeadLogits } from "../layers/lm-head.ts"
import { conv1dModule, linearModule, type Matrix } from "../layers/projection.ts"
import { runLayer, type StackLayer } from "../layers/layer-pass.ts"
import { pastLength } from "../layers/past.ts"
import { fullAttentionMask, positionIds } from "../layers/positions.ts"
import { countParameters, disposeParameters, type Parameters } from "../parameters.ts"
import { attention } from "./attention.ts"
import type { Gpt2Config } from "./config.ts"
import { mlp } from "./mlp.ts"
import { finalNormName, layerConv1Ds, layerPrefix, lmHeadName, positionEmbedName, tokenEmbedName } from "./parameter-names.ts"

export interface Gpt2CausalLM extends CausalLM {
  readonly config: Gpt2Config
}

/** `parameters` must hold every tensor of gpt2ParameterShapes(config) (see loadParameters). */
export const gpt2CausalLM = (config: Gpt2Config, parameters: Parameters): Gpt2CausalLM => {
  const parameter = <T extends tf.Tensor | Matrix>(name: string): T => parameters.get(name) as T
  const tokenEmbedding = parameter<Matrix>(tokenEmbedName)
  const positionEmbedding = parameter<tf.Tensor2D>(positionEmbedName)

  // Conv1D stores its weight [in, out] (see conv1d). The modules built here are ours to
  // dispose, whatever adapters later put in `linears`.
  const ownLinears: Array<Linear> = []
  for (let layer = 0; layer < config.n_layer; layer++) {
    for (const suffix of layerConv1Ds) {
      const name = `${layerPrefix(layer)}.${suffix}`
      ownLinears.push(conv1dModule(name, parameter(`${name}.weight`), parameter(`${name}.bias`)))
    }
  }
  ownLinears.push(linearModule("lm_head", config.tie_word_embeddings ? tokenEmbedding : parameter(lmHeadName)))
  const { linears, module } = linearModules(ownLinears)

  const heads = { heads: config.n_head, headDim: config.head_dim }
  const norm = (x: tf.Tensor3D, name: string) => layerNorm(x, parameter(`${name}.weight`), parameter(`${name}.bias`), config.layer_norm_epsilon)

  const block = (layer: number): StackLayer<{ readonly bias: tf.Tensor4D }> => (h, { bias }, joinPast, module) => {
    const prefix = layerPrefix(layer)
    const attended = h.add<tf.Tensor3D>(
      attention(
        norm(h, `${prefix}.ln_1`),
        { cAttn: module(`${prefix}.attn.c_attn`), cProj: module(`${prefix}.attn.c_proj`) },
        heads,
        bias,
        joinPast,
      ),
    )
    return attended.add<tf.Tensor3D>(mlp(norm(attended, `${prefix}.ln_2`), { cFc: module(`${prefix}.mlp.c_fc`), cProj: module(`${prefix}.mlp.c_proj`) }))
  }

  const gradientCheckpointing = { enabled: false }

  return {
    kind: "causal",
    architecture: "gpt2",
    config,
    dims: {
      hidden_size: config.n_embd,
      num_hidden_layers: config.n_layer,
      num_attention_heads: config.n_head,
      num_key_value_heads: config.n_head,
      head_dim: config.head_dim,
      vocab_size: config.vocab_size,
      max_position_embeddings: config.n_positions,
    },
    eosTokenIds: config.eos_token_ids,
    parameters,
    linears,
    gradientCheckpointing,
    embed: (ids) => embedTokens(tokenEmbedding, ids),
    forward: ({ embeds, attentionMask, prefix, cache, outputPositions, hiddenStates }) => {
      const [batch, time] = embeds.shape
      const past = pastLength(prefix, cache, { batch, layers: config.n_layer, kvHeads: config.n_head, headDim: config.head_dim })
      checkInput(embeds, attentionMask, { hidden: config.n_embd, pastLength: past, maxPositions: { field: "n_positions", value: config.n_positions } })
      return tf.tidy(() => {
        const keyMask = fullAttentionMask(batch, time, past, cache?.mask, attentionMask)
        const bias = attentionBias(time, past + time, { causal: true, keyMask })
        // Learned positions, counted from the attention mask: left padding and a prefix shift them.
        let h = embeds.add<tf.Tensor3D>(tf.gather(positionEmbedding, positionIds(keyMask, time)))
        for (let layer = 0; layer < config.n_layer; layer++) {
          const pass = { layer, prefix: layerPrefix(layer), checkpointing: gradientCheckpointing.enabled, linears, module, past: { prefix, cache } }
          h = runLayer(block(layer), h, { bias }, pass)
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
    },
  }
}

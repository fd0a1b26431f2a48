// The BERT encoder (as HF BertModel inside BertFor*): word + absolute position + token-type
// embeddings and a LayerNorm, then post-norm layers
// h = LayerNorm(h + attention(h)); h = LayerNorm(h + output(act(intermediate(h)))),
// and the pooler tanh(dense(h of the first token)). Megatron-BERT (GatorTron) normalises first
// instead: no embedding LayerNorm, h += attention(LN(h)); h += output(act(intermediate(LN(h)))),
// and a LayerNorm after the last layer. Dropout is left out: the base is frozen and run as in
// eval mode. With gradient checkpointing on, each layer is recomputed in the backward pass
// (layers/layer-pass.ts); with a frozen-activation cache attached, the layers below the lowest
// adapted one may be skipped (layers/frozen-activations.ts).
import * as tf from "@tensorflow/tfjs"
import type { EncoderModel } from "../encoder-model.ts"
import { attentionBias } from "../layers/attention-bias.ts"
import { checkInput } from "../layers/check-input.ts"
import { layerNorm } from "../layers/layer-norm.ts"
import { embedTokens } from "../layers/embedding.ts"
import { frozenLayerInput, lowestAdaptedLayer, rememberIds, type FrozenActivationCache } from "../layers/frozen-activations.ts"
import type { Linear } from "../layers/linear.ts"
import { linearModules } from "../layers/linear-modules.ts"
import { runLayer, type StackLayer } from "../layers/layer-pass.ts"
import { checkPrefix } from "../layers/past.ts"
import { fullAttentionMask } from "../layers/positions.ts"
import { linearModule, type Matrix } from "../layers/projection.ts"
import type { KeyValue } from "../model.ts"
import { countParameters, disposeParameters, type Parameters } from "../parameters.ts"
import { activations } from "./activation.ts"
import { selfAttention } from "./attention.ts"
import type { BertConfig } from "./config.ts"
import { embeddingNormName, finalNormName, layerLinears, layerNorms, layerPrefix, poolerName, positionEmbedName, tokenTypeEmbedName, wordEmbedName } from "./parameter-names.ts"

export interface BertEncoder extends EncoderModel {
  readonly config: BertConfig
}

/** `parameters` must hold every tensor of bertParameterShapes(config) but the optional pooler's (see loadParameters). */
export const bertEncoder = (config: BertConfig, parameters: Parameters): BertEncoder => {
  const parameter = <T extends tf.Tensor | Matrix>(name: string): T => parameters.get(name) as T
  const wordEmbedding = parameter<Matrix>(wordEmbedName)
  const positionEmbedding = parameter<tf.Tensor2D>(positionEmbedName)
  const tokenTypeEmbedding = parameter<tf.Tensor2D>(tokenTypeEmbedName)
  const hasPooler = parameters.has(`${poolerName}.weight`) && parameters.has(`${poolerName}.bias`)

  // The modules built here are ours to dispose, whatever adapters later put in `linears`.
  const ownLinears: Array<Linear> = []
  const addLinear = (name: string) => ownLinears.push(linearModule(name, parameter(`${name}.weight`), parameter(`${name}.bias`)))
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const suffix of layerLinears) addLinear(`${layerPrefix(layer)}.${suffix}`)
  }
  if (hasPooler) addLinear(poolerName)
  const { linears, module } = linearModules(ownLinears)

  const headShape = { heads: config.num_attention_heads, headDim: config.head_dim }
  const norm = (x: tf.Tensor3D, name: string) => layerNorm(x, parameter(`${name}.weight`), parameter(`${name}.bias`), config.layer_norm_eps)
  const activation = activations[config.hidden_act]

  const preNorm = config.model_type === "megatron-bert"

  const encoderLayer = (layer: number): StackLayer<{ readonly bias: tf.Tensor4D }> => (h, { bias }, joinPast, module) => {
    const path = layerPrefix(layer)
    const norms = layerNorms(config, layer)
    const attentionOf = (x: tf.Tensor3D) =>
      module(`${path}.attention.output.dense`).apply(
        selfAttention(
          x,
          { query: module(`${path}.attention.self.query`), key: module(`${path}.attention.self.key`), value: module(`${path}.attention.self.value`) },
          headShape,
          bias,
          joinPast,
        ),
      ) as tf.Tensor3D
    const feedForward = (x: tf.Tensor3D) => module(`${path}.output.dense`).apply(activation(module(`${path}.intermediate.dense`).apply(x))) as tf.Tensor3D
    if (preNorm) {
      const attended = h.add<tf.Tensor3D>(attentionOf(norm(h, norms.attention)))
      return attended.add<tf.Tensor3D>(feedForward(norm(attended, norms.output)))
    }
    const attended = norm(h.add(attentionOf(h)), norms.attention)
    return norm(attended.add(feedForward(attended)), norms.output)
  }

  /**
   * Positions are absolute, 0..t-1 whatever the mask (so pad on the right), offset by the prefix
   * length as HF BertEmbeddings does with past_key_values_length.
   */
  const embeddings = (embeds: tf.Tensor3D, pastLength: number, tokenTypeIds: tf.Tensor2D | undefined): tf.Tensor3D => {
    const [, time, hidden] = embeds.shape
    const positions = positionEmbedding.slice([pastLength, 0], [time, hidden])
    const tokenTypes = tokenTypeIds ? tf.gather(tokenTypeEmbedding, tokenTypeIds.toInt()) : tokenTypeEmbedding.slice([0, 0], [1, hidden])
    const summed = embeds.add<tf.Tensor3D>(tokenTypes).add<tf.Tensor3D>(positions)
    return preNorm ? summed : norm(summed, embeddingNormName)
  }

  const gradientCheckpointing = { enabled: false }
  const frozenActivations: { cache: FrozenActivationCache | undefined } = { cache: undefined }
  // Ids are remembered only for a frozen table: a trained one's embeddings change with each step.
  const frozenTable = !(wordEmbedding instanceof tf.Variable && wordEmbedding.trainable)
  const runLayers = (from: number, to: number, input: tf.Tensor3D, context: { readonly bias: tf.Tensor4D; readonly prefix: ReadonlyArray<KeyValue> | undefined; readonly checkpointing: boolean }) => {
    let h = input
    for (let layer = from; layer < to; layer++) {
      const pass = { layer, prefix: layerPrefix(layer), checkpointing: context.checkpointing, linears, module, past: { prefix: context.prefix, cache: undefined } }
      h = runLayer(encoderLayer(layer), h, { bias: context.bias }, pass)
    }
    return h
  }

  return {
    kind: "encoder",
    architecture: config.model_type,
    config,
    hasPooler,
    dims: { ...config, num_key_value_heads: config.num_attention_heads },
    parameters,
    linears,
    gradientCheckpointing,
    frozenActivations,
    embed: (ids) => (frozenActivations.cache && frozenTable ? rememberIds(embedTokens(wordEmbedding, ids), ids) : embedTokens(wordEmbedding, ids)),
    encode: ({ embeds, attentionMask, tokenTypeIds, prefix, layers = config.num_hidden_layers }) => {
      const [batch, time] = embeds.shape
      const pastLength = prefix ? checkPrefix(prefix, { batch, layers: config.num_hidden_layers, kvHeads: config.num_attention_heads, headDim: config.head_dim }) : 0
      checkInput(embeds, attentionMask, { hidden: config.hidden_size, pastLength, maxPositions: { field: "max_position_embeddings", value: config.max_position_embeddings } })
      if (tokenTypeIds && (tokenTypeIds.shape[0] !== batch || tokenTypeIds.shape[1] !== time)) {
        throw new RangeError(`tokenTypeIds: expected shape [${batch}, ${time}], got [${tokenTypeIds.shape.join(", ")}]`)
      }
      if (!Number.isInteger(layers) || layers < 0 || layers > config.num_hidden_layers) {
        throw new RangeError(`layers: expected an integer from 0 to ${config.num_hidden_layers}, got ${layers}`)
      }
      return tf.tidy(() => {
        // Prefix keys are never masked; padding keys always are.
        const keyMask = fullAttentionMask(batch, time, pastLength, undefined, attentionMask)
        const bias = attentionBias(time, pastLength + time, { causal: false, keyMask })
        const frozen = frozenActivations.cache
        // With a cache, the layers below the lowest adapted one (all of them under a head alone) may be skipped.
        const start = frozen && prefix === undefined ? Math.min(layers, lowestAdaptedLayer(frozen, config.num_hidden_layers, layerPrefix, layerLinears, linears)) : 0
        const runBelow = () => tf.tidy(() => runLayers(0, start, embeddings(embeds, 0, tokenTypeIds), { bias, prefix, checkpointing: false }))
        const below = frozen && start > 0 ? frozenLayerInput(frozen, { embeds, attentionMask, segments: tokenTypeIds, start, runBelow }) : undefined
        const context = { bias, prefix, checkpointing: gradientCheckpointing.enabled }
        const h = below ? runLayers(start, layers, below, context) : runLayers(0, layers, embeddings(embeds, pastLength, tokenTypeIds), context)
        return preNorm ? norm(h, finalNormName) : h
      })
    },
    pool: (hidden) => {
      if (!hasPooler) throw new Error(`pool: this checkpoint has no pooler (no "${poolerName}.weight"/".bias": saved with add_pooling_layer=False)`)
      const [batch, , width] = hidden.shape
      return tf.tidy(() => tf.tanh(module(poolerName).apply(hidden.slice([0, 0, 0], [batch, 1, width]).reshape([batch, width]))) as tf.Tensor2D)
    },
    parameterCount: () => countParameters(parameters),
    dispose: () => {
      for (const own of ownLinears) own.dispose()
      disposeParameters(parameters)
    },
  }
}

// A causal decoder stack as Llama and Falcon build theirs: the layers' linear modules and the LM
// head, and the forward pass (mask and bias, positions, each layer, the final norm, the head)
// that only the layer itself and the position bias differ in. Each layer runs directly or
// checkpointed (layer-pass.ts); with a frozen-activation cache attached, the layers below the
// lowest adapted one may be skipped (frozen-activations.ts).
import * as tf from "@tensorflow/tfjs"
import type { CausalInput, CausalLM } from "../causal-lm.ts"
import type { KeyValue, ModelDims } from "../model.ts"
import { countParameters, disposeParameters, type Parameters } from "../parameters.ts"
import { checkInput } from "./check-input.ts"
import { embedTokens } from "./embedding.ts"
import { frozenLayerInput, lowestAdaptedLayer, rememberIds, type FrozenActivationCache } from "./frozen-activations.ts"
import type { Linear } from "./linear.ts"
import { linearModules, type LinearModules } from "./linear-modules.ts"
import { lmHeadLogits } from "./lm-head.ts"
import { runLayer } from "./layer-pass.ts"
import { pastLength } from "./past.ts"
import { fullAttentionMask, positionIds } from "./positions.ts"
import { linearModule, type Matrix } from "./projection.ts"

/**
 * Each layer's linear modules (`<prefix>.<suffix>`, with `.bias` where the parameters hold one)
 * and "lm_head" over `head`; `own` are the modules built here, the model's to dispose whatever
 * adapters later put in `linears`.
 */
const decoderLinears = (
  parameters: Parameters,
  { layers, layerPrefix, suffixes, head }: { readonly layers: number; readonly layerPrefix: (layer: number) => string; readonly suffixes: ReadonlyArray<string>; readonly head: Matrix },
): LinearModules & { readonly own: ReadonlyArray<Linear> } => {
  const own: Array<Linear> = []
  for (let layer = 0; layer < layers; layer++) {
    for (const suffix of suffixes) {
      const name = `${layerPrefix(layer)}.${suffix}`
      own.push(linearModule(name, parameters.get(`${name}.weight`) as Matrix, parameters.get(`${name}.bias`) as tf.Tensor1D | undefined))
    }
  }
  own.push(linearModule("lm_head", head))
  return { ...linearModules(own), own }
}

/** What every layer of the stack shares in one forward pass. */
export interface LayerContext {
  readonly bias: tf.Tensor4D
  readonly positions: tf.Tensor2D
  /** The layer's cached or prefix keys and values before the new ones. */
  readonly joinPast: (current: KeyValue) => KeyValue
}

export type DecoderLayer = (h: tf.Tensor3D, layer: number, context: LayerContext, module: (name: string) => Linear) => tf.Tensor3D

interface DecoderStack {
  readonly config: DecoderConfig
  readonly layerPrefix: (layer: number) => string
  readonly layer: DecoderLayer
  readonly bias: (time: number, keyMask: tf.Tensor2D) => tf.Tensor4D
  readonly finalNorm: (h: tf.Tensor3D) => tf.Tensor3D
  readonly modules: LinearModules
  readonly layerLinears: ReadonlyArray<string>
  readonly gradientCheckpointing: { readonly enabled: boolean }
  readonly frozenActivations: { readonly cache: FrozenActivationCache | undefined }
}

/** CausalLM.forward over the stack. */
const decoderForward =
  (stack: DecoderStack) =>
  ({ embeds, attentionMask, prefix, cache, outputPositions, hiddenStates }: CausalInput): tf.Tensor3D => {
    const { config } = stack
    const [batch, time] = embeds.shape
    const past = pastLength(prefix, cache, { batch, layers: config.num_hidden_layers, kvHeads: config.num_key_value_heads, headDim: config.head_dim })
    checkInput(embeds, attentionMask, {
      hidden: config.hidden_size,
      pastLength: past,
      maxPositions: { field: "max_position_embeddings", value: config.max_position_embeddings },
    })
    return tf.tidy(() => {
      const keyMask = fullAttentionMask(batch, time, past, cache?.mask, attentionMask)
      const shared = { bias: stack.bias(time, keyMask), positions: positionIds(keyMask, time) }
      const { linears, module } = stack.modules
      const runLayers = (from: number, to: number, input: tf.Tensor3D, checkpointing: boolean) => {
        let h = input
        for (let layer = from; layer < to; layer++) {
          const pass = { layer, prefix: stack.layerPrefix(layer), checkpointing, linears, module, past: { prefix, cache } }
          h = runLayer((x, tensors, joinPast, layerModule) => stack.layer(x, layer, { ...tensors, joinPast }, layerModule), h, shared, pass)
        }
        return h
      }
      const frozen = stack.frozenActivations.cache
      const start = frozen && prefix === undefined && cache === undefined ? lowestAdaptedLayer(frozen, config.num_hidden_layers, stack.layerPrefix, stack.layerLinears, linears) : 0
      const below =
        frozen && start > 0
          ? frozenLayerInput(frozen, { embeds, attentionMask, start, runBelow: () => tf.tidy(() => runLayers(0, start, embeds, false)) })
          : undefined
      const h = below ? runLayers(start, config.num_hidden_layers, below, stack.gradientCheckpointing.enabled) : runLayers(0, config.num_hidden_layers, embeds, stack.gradientCheckpointing.enabled)
      cache?.commit(keyMask)
      const normed = stack.finalNorm(h)
      return hiddenStates ? normed : lmHeadLogits(module("lm_head"), normed, outputPositions)
    })
  }

/** What the stack needs of a decoded config.json, under Llama's names. */
export interface DecoderConfig extends ModelDims {
  readonly model_type: string
  /** Rotary or ALiBi tables end here: no sequence (prefix included) may be longer. */
  readonly max_position_embeddings: number
  readonly tie_word_embeddings: boolean
  readonly eos_token_ids: ReadonlyArray<number>
}

export interface DecoderParts {
  readonly names: {
    readonly embed: string
    readonly lmHead: string
    readonly layerPrefix: (layer: number) => string
    /** Each layer's linear modules, by their name under the layer prefix. */
    readonly layerLinears: ReadonlyArray<string>
  }
  readonly layer: DecoderLayer
  /** The additive attention bias for `time` queries over `keyMask` [batch, keys] (masks, and any position bias). */
  readonly bias: (time: number, keyMask: tf.Tensor2D) => tf.Tensor4D
  readonly finalNorm: (h: tf.Tensor3D) => tf.Tensor3D
  /** Frees what the architecture made beside the parameters (rotary or ALiBi tables). */
  readonly dispose: () => void
}

/** The causal LM over `parameters`, which must hold every tensor the architecture's parameterShapes names. */
export const decoderCausalLM = <C extends DecoderConfig>(config: C, parameters: Parameters, parts: DecoderParts): CausalLM & { readonly config: C } => {
  const embedding = parameters.get(parts.names.embed) as Matrix
  const modules = decoderLinears(parameters, {
    layers: config.num_hidden_layers,
    layerPrefix: parts.names.layerPrefix,
    suffixes: parts.names.layerLinears,
    head: config.tie_word_embeddings ? embedding : (parameters.get(parts.names.lmHead) as Matrix),
  })
  const gradientCheckpointing = { enabled: false }
  const frozenActivations: { cache: FrozenActivationCache | undefined } = { cache: undefined }
  // Ids are remembered only for a frozen table: a trained one's embeddings change with each step.
  const frozenTable = !(embedding instanceof tf.Variable && embedding.trainable)
  return {
    kind: "causal",
    architecture: config.model_type,
    config,
    dims: config,
    eosTokenIds: config.eos_token_ids,
    parameters,
    linears: modules.linears,
    gradientCheckpointing,
    frozenActivations,
    embed: (ids) => (frozenActivations.cache && frozenTable ? rememberIds(embedTokens(embedding, ids), ids) : embedTokens(embedding, ids)),
    forward: decoderForward({
      config,
      layerPrefix: parts.names.layerPrefix,
      layerLinears: parts.names.layerLinears,
      layer: parts.layer,
      bias: parts.bias,
      finalNorm: parts.finalNorm,
      modules,
      gradientCheckpointing,
      frozenActivations,
    }),
    parameterCount: () => countParameters(parameters),
    dispose: () => {
      for (const own of modules.own) own.dispose()
      disposeParameters(parameters)
      parts.dispose()
    },
  }
}

// PEFT's PromptEncoder (tuners/p_tuning/model.py): an embedding of the virtual tokens passed
// through an MLP (Linear-ReLU-Linear-ReLU-Linear) or a bidirectional LSTM and a two-layer MLP head
// (Linear-ReLU-Linear), giving the rows put before the input. Its parameters keep torch's names
// and layouts (embedding.weight, lstm_head.weight_ih_l0, mlp_head.0.weight, ...) and torch's
// initialisation, so PEFT's own encoder can be read into it and checked against PEFT's output.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import { mlpEncoderLayers, type ReparameterizationType } from "./config.ts"
import { bidirectionalLstm, type LstmDirection } from "./lstm.ts"

export interface PromptEncoderShape {
  readonly virtual: number
  /** The model's hidden size (PEFT's token_dim): the embedding's and the output's width. */
  readonly tokenDim: number
  readonly hidden: number
  readonly type: ReparameterizationType
  /** The LSTM's depth; the MLP's is always mlpEncoderLayers. */
  readonly layers: number
}

/** A parameter's shape and the bound of torch's uniform initialisation (undefined: N(0, 1), nn.Embedding's). */
export interface ParameterSpec {
  readonly shape: ReadonlyArray<number>
  readonly bound?: number
}

const linear = (name: string, inputs: number, outputs: number): Array<[string, ParameterSpec]> => [
  // nn.Linear: weight and bias uniform in ±1/sqrt(in_features).
  [`${name}.weight`, { shape: [outputs, inputs], bound: 1 / Math.sqrt(inputs) }],
  [`${name}.bias`, { shape: [outputs], bound: 1 / Math.sqrt(inputs) }],
]

const lstmSuffixes = ["", "_reverse"] as const

/** Every parameter of PEFT's PromptEncoder of this shape, by its torch name, in registration order. */
export const promptEncoderParameters = (shape: PromptEncoderShape): ReadonlyMap<string, ParameterSpec> => {
  const { tokenDim, hidden } = shape
  const embedding: [string, ParameterSpec] = ["embedding.weight", { shape: [shape.virtual, tokenDim] }]
  if (shape.type === "MLP") {
    return new Map([embedding, ...linear("mlp_head.0", tokenDim, hidden), ...linear("mlp_head.2", hidden, hidden), ...linear("mlp_head.4", hidden, tokenDim)])
  }
  // nn.LSTM: every weight and bias uniform in ±1/sqrt(hidden_size).
  const bound = 1 / Math.sqrt(hidden)
  const lstm = Array.from({ length: shape.layers }, (_, l) =>
    lstmSuffixes.flatMap((suffix): Array<[string, ParameterSpec]> => [
      [`lstm_head.weight_ih_l${l}${suffix}`, { shape: [4 * hidden, l === 0 ? tokenDim : 2 * hidden], bound }],
      [`lstm_head.weight_hh_l${l}${suffix}`, { shape: [4 * hidden, hidden], bound }],
      [`lstm_head.bias_ih_l${l}${suffix}`, { shape: [4 * hidden], bound }],
      [`lstm_head.bias_hh_l${l}${suffix}`, { shape: [4 * hidden], bound }],
    ]),
  ).flat()
  return new Map([embedding, ...lstm, ...linear("mlp_head.0", 2 * hidden, 2 * hidden), ...linear("mlp_head.2", 2 * hidden, tokenDim)])
}

/** Values for every parameter drawn as torch initialises them, in registration order. */
export const torchInitialValues =
  (rng: Rng) =>
  (spec: ParameterSpec): tf.Tensor => {
    const size = spec.shape.reduce((a, b) => a * b, 1)
    const { bound } = spec
    const values = Float32Array.from({ length: size }, () => (bound === undefined ? rng.normal() : (2 * rng.next() - 1) * bound))
    return tf.tensor(values, [...spec.shape])
  }

export interface PromptEncoder {
  readonly shape: PromptEncoderShape
  /** The trainable parameters by torch name. */
  readonly parameters: ReadonlyMap<string, tf.Variable>
  /** The rows [virtual, tokenDim]; `dropout` only while training (the LSTM's); a new tensor left to the caller's tidy. */
  rows(dropout?: { readonly rate: number; readonly seed: () => number }): tf.Tensor2D
  dispose(): void
}

/** The encoder with each parameter's value from `initial` (called in registration order; its tensors become the variables and are disposed). */
export const createPromptEncoder = (shape: PromptEncoderShape, initial: (spec: ParameterSpec, name: string) => tf.Tensor): PromptEncoder => {
  if (shape.type === "MLP" && shape.layers !== mlpEncoderLayers) throw new RangeError(`an MLP prompt encoder has ${mlpEncoderLayers} hidden layers, got ${shape.layers}`)
  const parameters = new Map(
    [...promptEncoderParameters(shape)].map(([name, spec]) => {
      const value = initial(spec, name)
      const variable = tf.variable(value, true)
      value.dispose()
      return [name, variable] as const
    }),
  )
  const p = (name: string) => parameters.get(name) as tf.Variable
  const dense = (x: tf.Tensor2D, name: string) => x.matMul(p(`${name}.weight`) as tf.Tensor2D, false, true).add(p(`${name}.bias`)) as tf.Tensor2D
  const direction = (l: number, suffix: string): LstmDirection => ({
    weightIh: p(`lstm_head.weight_ih_l${l}${suffix}`),
    weightHh: p(`lstm_head.weight_hh_l${l}${suffix}`),
    biasIh: p(`lstm_head.bias_ih_l${l}${suffix}`),
    biasHh: p(`lstm_head.bias_hh_l${l}${suffix}`),
  })
  const lstmLayers = Array.from({ length: shape.type === "LSTM" ? shape.layers : 0 }, (_, l) => ({ forward: direction(l, ""), reverse: direction(l, "_reverse") }))
  return {
    shape,
    parameters,
    rows: (dropout) =>
      tf.tidy(() => {
        const embedded = p("embedding.weight") as tf.Tensor2D
        if (shape.type === "MLP") return dense(tf.relu(dense(tf.relu(dense(embedded, "mlp_head.0")), "mlp_head.2")), "mlp_head.4")
        return dense(tf.relu(dense(bidirectionalLstm(embedded, lstmLayers, dropout), "mlp_head.0")), "mlp_head.2")
      }),
    dispose: () => tf.dispose([...parameters.values()]),
  }
}

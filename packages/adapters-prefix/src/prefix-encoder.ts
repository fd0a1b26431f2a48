// The trainable part that produces the prefix rows [virtual, width] (PEFT's PrefixEncoder):
// either the rows themselves, or, with prefix_projection, a small embedding passed through
// Linear -> tanh -> Linear, which Li & Liang found trains more stably.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"

export interface PrefixEncoder {
  readonly projected: boolean
  readonly variables: ReadonlyArray<tf.Variable>
  /** The prefix rows [virtual, width]; a new tensor, left to the caller's tidy. */
  rows(): tf.Tensor2D
  dispose(): void
}

const normal = (rng: Rng, shape: [number, number]) =>
  tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()), shape)

// torch.nn.Linear's default init: weight and bias uniform in ±1/sqrt(fan_in).
const linearInit = (rng: Rng, fanIn: number, shape: [number, number] | [number]) => {
  const bound = 1 / Math.sqrt(fanIn)
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rng.next() - 1) * bound)
  return tf.tensor(values, shape)
}

const owned = (t: tf.Tensor): tf.Variable => {
  const v = tf.variable(t, true)
  t.dispose()
  return v
}

/** The rows as one trainable table; `initial` becomes the variable's value (and is disposed). */
export const plainEncoder = (initial: tf.Tensor2D): PrefixEncoder => {
  const embedding = owned(initial)
  return {
    projected: false,
    variables: [embedding],
    rows: () => embedding.clone() as tf.Tensor2D,
    dispose: () => embedding.dispose(),
  }
}

/** PEFT draws the plain table from N(0, 1), nn.Embedding's default. */
export const randomPlainEncoder = (virtual: number, width: number, rng: Rng): PrefixEncoder => plainEncoder(normal(rng, [virtual, width]))

export const projectedEncoder = (sizes: { virtual: number; tokenDim: number; hidden: number; width: number }, rng: Rng): PrefixEncoder => {
  const embedding = owned(normal(rng, [sizes.virtual, sizes.tokenDim]))
  // Kept [in, out] so each layer is one matMul; the file format never sees them (PEFT saves the folded rows).
  const w1 = owned(linearInit(rng, sizes.tokenDim, [sizes.tokenDim, sizes.hidden]))
  const b1 = owned(linearInit(rng, sizes.tokenDim, [sizes.hidden]))
  const w2 = owned(linearInit(rng, sizes.hidden, [sizes.hidden, sizes.width]))
  const b2 = owned(linearInit(rng, sizes.hidden, [sizes.width]))
  const variables = [embedding, w1, b1, w2, b2]
  return {
    projected: true,
    variables,
    rows: () => tf.tidy(() => tf.tanh(embedding.matMul(w1).add(b1)).matMul(w2).add(b2) as tf.Tensor2D),
    dispose: () => tf.dispose(variables),
  }
}

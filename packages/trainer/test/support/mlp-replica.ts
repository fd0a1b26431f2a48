// A replica module for the data-parallel tests: a 2-layer MLP classifier on the cpu backend,
// its weights drawn from `init.seed`, so the main thread can build the very same model. It
// also holds a variable its loss never reaches, as BERT's pooler under a span head.
import * as tf from "@tensorflow/tfjs"

export interface MlpInit {
  readonly inputs: number
  readonly hidden: number
  readonly classes: number
  readonly seed: number
}

export interface Example {
  readonly x: ReadonlyArray<number>
  readonly label: number
}

export const mlp = ({ inputs, hidden, classes, seed }: MlpInit) => {
  if (hidden < 1) throw new RangeError(`hidden must be at least 1, got ${hidden}`)
  const variables = tf.tidy(() => [
    tf.variable(tf.randomNormal([inputs, hidden], 0, 0.5, "float32", seed)),
    tf.variable(tf.randomNormal([hidden], 0, 0.1, "float32", seed + 1)),
    tf.variable(tf.randomNormal([hidden, classes], 0, 0.5, "float32", seed + 2)),
    tf.variable(tf.zeros([classes])),
    tf.variable(tf.ones([2])),
  ])
  const [w1, b1, w2, b2] = variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable]
  const logitsOf = (batch: ReadonlyArray<Example>) => tf.tensor2d(batch.map((e) => [...e.x])).matMul(w1).add(b1).relu().matMul(w2).add(b2)
  return {
    variables,
    loss: (batch: ReadonlyArray<Example>): tf.Scalar => {
      const bad = batch.find((e) => e.label < 0 || e.label >= classes)
      if (bad) throw new RangeError(`label ${bad.label} is not a class (0..${classes - 1})`)
      return tf.tidy(() => {
        const logits = logitsOf(batch)
        const labels = tf.oneHot(batch.map((e) => e.label), classes)
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar
      })
    },
    weight: (batch: ReadonlyArray<Example>) => batch.length,
    /** The logits of each example. */
    evaluate: (batch: ReadonlyArray<Example>): Array<Array<number>> => tf.tidy(() => logitsOf(batch).arraySync() as Array<Array<number>>),
    dispose: () => tf.dispose(variables),
  }
}

export default async (init: unknown) => {
  await tf.setBackend("cpu")
  return mlp(init as MlpInit)
}

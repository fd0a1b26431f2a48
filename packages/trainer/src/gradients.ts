// Gradients for one optimizer step: the mean over its micro-batches, in variable order.
import * as tf from "@tensorflow/tfjs"

const gradientOf = (grads: tf.NamedTensorMap, variable: tf.Variable): tf.Tensor => {
  const grad = grads[variable.name]
  if (!grad) throw new Error(`no gradient reached trainable variable ${variable.name}: the loss does not depend on it`)
  return grad
}

/** Mean gradients (new tensors, the caller disposes them) and mean loss over `micro` batches. */
export const accumulatedGradients = <Batch>(
  variables: ReadonlyArray<tf.Variable>,
  loss: (batch: Batch) => tf.Scalar,
  micro: ReadonlyArray<Batch>,
): { grads: Array<tf.Tensor>; loss: number } => {
  let sums: Array<tf.Tensor> | undefined
  let lossSum = 0
  for (const batch of micro) {
    const { value, grads } = tf.variableGrads(() => loss(batch), variables as Array<tf.Variable>)
    const ordered = variables.map((v) => gradientOf(grads, v))
    const previous = sums
    sums = tf.tidy(() => ordered.map((g, i) => (previous ? (previous[i] as tf.Tensor).add(g) : g.clone())))
    if (previous) tf.dispose(previous)
    lossSum += value.dataSync()[0] as number
    tf.dispose([value, ...Object.values(grads)])
  }
  const total = sums as Array<tf.Tensor>
  const mean = tf.tidy(() => total.map((g) => g.div(micro.length)))
  tf.dispose(total)
  return { grads: mean, loss: lossSum / micro.length }
}

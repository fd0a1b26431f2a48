// Gradients for one optimizer step: the mean over its micro-batches, in variable order.
import * as tf from "@tensorflow/tfjs"

const gradientOf = (grads: tf.NamedTensorMap, variable: tf.Variable): tf.Tensor => {
  const grad = grads[variable.name]
  if (!grad) throw new Error(`no gradient reached trainable variable ${variable.name}: the loss does not depend on it`)
  return grad
}

/**
 * Mean gradients and mean loss over `micro` batches, all new tensors the caller disposes. The
 * loss stays a tensor so the caller reads it once per step, asynchronously.
 */
export const accumulatedGradients = <Batch>(
  variables: ReadonlyArray<tf.Variable>,
  loss: (batch: Batch) => tf.Scalar,
  micro: ReadonlyArray<Batch>,
): { grads: Array<tf.Tensor>; loss: tf.Scalar } => {
  let sums: Array<tf.Tensor> | undefined
  let lossSum: tf.Tensor | undefined
  for (const batch of micro) {
    const { value, grads } = tf.variableGrads(() => loss(batch), variables as Array<tf.Variable>)
    const ordered = variables.map((v) => gradientOf(grads, v))
    const [previous, previousLoss] = [sums, lossSum]
    sums = tf.tidy(() => ordered.map((g, i) => (previous ? (previous[i] as tf.Tensor).add(g) : g.clone())))
    lossSum = tf.tidy(() => (previousLoss ? previousLoss.add(value) : value.clone()))
    tf.dispose([previous, previousLoss, value, grads])
  }
  const [total, totalLoss] = [sums as Array<tf.Tensor>, lossSum as tf.Tensor]
  const mean = tf.tidy(() => ({ grads: total.map((g) => g.div(micro.length)), loss: totalLoss.div(micro.length) as tf.Scalar }))
  tf.dispose([...total, totalLoss])
  return mean
}

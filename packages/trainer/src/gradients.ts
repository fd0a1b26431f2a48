// Gradients for one optimizer step: the mean over its micro-batches, in variable order.
import * as tf from "@tensorflow/tfjs"

/**
 * Mean gradients and mean loss over `micro` batches, all new tensors the caller disposes. The
 * loss stays a tensor so the caller reads it once per step, asynchronously. A variable the
 * loss never reaches (e.g. BERT's pooler under a span head) has no gradient and is left out of
 * `reached`, so the step leaves it alone, as torch's optimizers skip a parameter whose grad is
 * None (a loss that reaches no variable at all makes tf.variableGrads throw).
 */
export const accumulatedGradients = <Batch>(
  variables: ReadonlyArray<tf.Variable>,
  loss: (batch: Batch) => tf.Scalar,
  micro: ReadonlyArray<Batch>,
): { reached: Array<tf.Variable>; grads: Array<tf.Tensor>; loss: tf.Scalar } => {
  let reached: Array<tf.Variable> | undefined
  let sums: Array<tf.Tensor> | undefined
  let lossSum: tf.Tensor | undefined
  for (const batch of micro) {
    const { value, grads } = tf.variableGrads(() => loss(batch), variables as Array<tf.Variable>)
    // Which variables the loss reaches depends on the model, not the batch: the first decides.
    reached ??= variables.filter((v) => grads[v.name] !== undefined)
    const [previous, previousLoss, step] = [sums, lossSum, reached]
    sums = tf.tidy(() =>
      step.map((v, i) => {
        const grad = grads[v.name] ?? tf.zerosLike(v)
        return previous ? (previous[i] as tf.Tensor).add(grad) : grad.clone()
      }),
    )
    lossSum = tf.tidy(() => (previousLoss ? previousLoss.add(value) : value.clone()))
    tf.dispose([previous, previousLoss, value, grads])
  }
  const [total, totalLoss] = [sums as Array<tf.Tensor>, lossSum as tf.Tensor]
  const mean = tf.tidy(() => ({ grads: total.map((g) => g.div(micro.length)), loss: totalLoss.div(micro.length) as tf.Scalar }))
  tf.dispose([...total, totalLoss])
  return { reached: reached ?? [], ...mean }
}

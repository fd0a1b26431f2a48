// Gradients for one optimizer step: the mean over its micro-batches, in variable order.
import * as tf from "@tensorflow/tfjs"
import { installLeanBackprop } from "./lean-backprop.ts"

/** One step's gradients: `grads[i]` belongs to `reached[i]`; all new tensors the caller disposes. */
export interface StepGradients {
  readonly reached: Array<tf.Variable>
  readonly grads: Array<tf.Tensor>
  readonly loss: tf.Scalar
}

/**
 * Sums of gradients and losses over `micro` batches, each scaled by `weight(batch)` when a
 * weight is given (unscaled otherwise), with the total weight. A variable the loss never
 * reaches (e.g. BERT's pooler under a span head) has no gradient and is left out of `reached`,
 * so the step leaves it alone, as torch's optimizers skip a parameter whose grad is None (a
 * loss that reaches no variable at all makes tf.variableGrads throw).
 */
export const gradientSums = <Batch>(
  variables: ReadonlyArray<tf.Variable>,
  loss: (batch: Batch) => tf.Scalar,
  micro: ReadonlyArray<Batch>,
  weight?: (batch: Batch) => number,
): StepGradients & { weight: number } => {
  installLeanBackprop()
  let reached: Array<tf.Variable> | undefined
  let sums: Array<tf.Tensor> | undefined
  let lossSum: tf.Tensor | undefined
  let weightSum = 0
  for (const batch of micro) {
    const factor = weight?.(batch) ?? 1
    const scaled = (t: tf.Tensor) => (weight ? t.mul(factor) : t)
    const { value, grads } = tf.variableGrads(() => loss(batch), variables as Array<tf.Variable>)
    // Which variables the loss reaches depends on the model, not the batch: the first decides.
    reached ??= variables.filter((v) => grads[v.name] !== undefined)
    const [previous, previousLoss, step] = [sums, lossSum, reached]
    // Variable by variable, each old sum and gradient freed once the new sum is made, so a step
    // never holds two full sets of gradients (a full fine-tune's are as large as its model).
    sums = step.map((v, i) => {
      const sum = tf.tidy(() => {
        const grad = scaled(grads[v.name] ?? tf.zerosLike(v))
        return previous ? (previous[i] as tf.Tensor).add(grad) : grad.clone()
      })
      tf.dispose([previous?.[i], grads[v.name]].filter((t) => t !== undefined))
      return sum
    })
    lossSum = tf.tidy(() => (previousLoss ? previousLoss.add(scaled(value)) : scaled(value).clone()))
    weightSum += factor
    tf.dispose([previous, previousLoss, value, grads])
  }
  return { reached: reached ?? [], grads: sums as Array<tf.Tensor>, loss: lossSum as tf.Scalar, weight: weightSum }
}

/**
 * Mean gradients and mean loss over `micro` batches, each batch counting the same. The loss
 * stays a tensor so the caller reads it once per step, asynchronously.
 */
export const accumulatedGradients = <Batch>(
  variables: ReadonlyArray<tf.Variable>,
  loss: (batch: Batch) => tf.Scalar,
  micro: ReadonlyArray<Batch>,
): StepGradients => {
  const sums = gradientSums(variables, loss, micro)
  if (micro.length === 1) return { reached: sums.reached, grads: sums.grads, loss: sums.loss }
  // One gradient at a time, each sum freed as its mean is made: a full fine-tune's gradients are
  // as large as its model, and two sets of them need not fit beside it.
  const grads = sums.grads.map((sum) => {
    const mean = tf.tidy(() => sum.div(micro.length))
    sum.dispose()
    return mean
  })
  const meanLoss = tf.tidy(() => sums.loss.div(micro.length) as tf.Scalar)
  sums.loss.dispose()
  return { reached: sums.reached, grads, loss: meanLoss }
}

// The one place where causal-LM labels are shifted: logits at position t predict token t+1.
// Training losses and label scoring both build on these two functions.
import * as tf from "@tensorflow/tfjs"

/**
 * log p(ids[:, t] | ids[:, <t]) for t = 1..T-1, as [batch, T-1], from logits [batch, T, vocab]
 * aligned with `ids` [batch, T].
 */
export const tokenLogProbs = (logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, time, vocab] = logits.shape
    const predicting = logits.slice([0, 0, 0], [batch, time - 1, vocab])
    const next = ids.slice([0, 1], [batch, time - 1])
    const logProbs = tf.logSoftmax(predicting)
    const picked = logProbs.mul(tf.oneHot(next.toInt(), vocab)).sum(-1)
    return picked as tf.Tensor2D
  })

/**
 * Sum of log-probabilities of the marked tokens per sequence ([batch]); `targetMask` [batch, T]
 * marks with 1 the tokens to score (the answer or label tokens), aligned with `ids`.
 */
export const sequenceLogProb = (logits: tf.Tensor3D, ids: tf.Tensor2D, targetMask: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    const [batch, time] = ids.shape
    const mask = targetMask.slice([0, 1], [batch, time - 1]).toFloat()
    return tokenLogProbs(logits, ids).mul(mask).sum(-1) as tf.Tensor1D
  })

/** Mean negative log-likelihood over all marked tokens of the batch: the answer-only LM loss. */
export const maskedNll = (logits: tf.Tensor3D, ids: tf.Tensor2D, targetMask: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => {
    const [batch, time] = ids.shape
    const mask = targetMask.slice([0, 1], [batch, time - 1]).toFloat()
    const total = tokenLogProbs(logits, ids).mul(mask).sum()
    return total.neg().div(mask.sum().maximum(1)) as tf.Scalar
  })

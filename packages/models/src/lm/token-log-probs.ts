// The one place where labels are shifted. In a causal LM, logits at position t predict token
// t+1 of the same sequence; in an encoder-decoder, the decoder reads the target shifted right
// (after a start token), so its logits at t predict target t. Training losses and label
// scoring both build on these functions.
import * as tf from "@tensorflow/tfjs"

/** log p(targets[:, t]) from logits [batch, T, vocab] already aligned with targets [batch, T]. */
export const targetLogProbs = (logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => tf.logSoftmax(logits).mul(tf.oneHot(targets.toInt(), logits.shape[2])).sum(-1) as tf.Tensor2D)

/** The decoder input for `targets` [batch, T]: the start id, then targets without their last token (HF's shift_tokens_right). */
export const shiftTargetsRight = (targets: tf.Tensor2D, startId: number): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, time] = targets.shape
    return tf.concat([tf.fill([batch, 1], startId, "int32"), targets.toInt().slice([0, 0], [batch, time - 1])], 1) as tf.Tensor2D
  })

/**
 * log p(ids[:, t] | ids[:, <t]) for t = 1..T-1, as [batch, T-1], from logits [batch, T, vocab]
 * aligned with `ids` [batch, T].
 */
export const tokenLogProbs = (logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, time, vocab] = logits.shape
    return targetLogProbs(logits.slice([0, 0, 0], [batch, time - 1, vocab]), ids.slice([0, 1], [batch, time - 1]))
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

// softmaxCrossEntropy, the loss of each position of a classifier or language model: one pass over
// the logits where the backend has the kernel, else composed tfjs ops, which every backend runs.
import * as tf from "@tensorflow/tfjs"
import { runKernel, usesFusedKernel } from "../shared/kernel-path.ts"
import { checkedVocab, defaultIgnoreIndex } from "./cross-entropy-inputs.ts"
import { crossEntropyKernelName } from "./cross-entropy-kernel.ts"
import { oneHotOf } from "./one-hot.ts"

const composed = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex: number): tf.Tensor =>
  tf.tidy(() => {
    const vocab = logits.shape.at(-1) as number
    const loss = tf.logSumExp(logits, -1).sub(logits.mul(oneHotOf(targets, vocab)).sum(-1))
    const inVocab = targets.greaterEqual(0).logicalAnd(targets.less(vocab))
    const checked = tf.where(inVocab, loss, tf.fill(loss.shape, Number.NaN))
    return tf.where(targets.equal(ignoreIndex), tf.zerosLike(loss), checked)
  })

/** softmaxCrossEntropy composed of tfjs ops: the reference and the fallback. */
export const softmaxCrossEntropyComposed = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex = defaultIgnoreIndex): tf.Tensor => {
  checkedVocab("softmaxCrossEntropy", logits, targets)
  return composed(logits, targets, ignoreIndex)
}

/**
 * The loss of each position, -log softmax(logits)[target], over logits [..., vocab] and int32
 * targets [...]: 0 where the target is `ignoreIndex`, NaN where it is outside [0, vocab). One
 * pass over the logits where the backend has the kernel (WGSL on webgpu, the wasm plugin's C on
 * wasm), composed ops elsewhere.
 */
export const softmaxCrossEntropy = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex = defaultIgnoreIndex): tf.Tensor => {
  const vocab = checkedVocab("softmaxCrossEntropy", logits, targets)
  if (!usesFusedKernel(crossEntropyKernelName)) return composed(logits, targets, ignoreIndex)
  return tf.tidy(() =>
    runKernel(crossEntropyKernelName, { logits: logits.reshape([-1, vocab]), targets: targets.reshape([-1]) }, { ignoreIndex }).reshape(targets.shape),
  )
}

import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { crossEntropyKernelName } from "./cross-entropy-kernel.ts"
import { oneHotOf } from "./one-hot.ts"

/** Hugging Face's (and PyTorch's) default label for positions that count for nothing. */
export const defaultIgnoreIndex = -100

/** The vocabulary size, once the tensors are checked. */
const checkedVocab = (logits: tf.Tensor, targets: tf.Tensor): number => {
  const vocab = logits.shape.at(-1) ?? 0
  tf.util.assert(logits.dtype === "float32" && targets.dtype === "int32", () => `softmaxCrossEntropy: expected float32 logits and int32 targets, got ${logits.dtype} and ${targets.dtype}`)
  tf.util.assert(
    vocab > 0 && tf.util.arraysEqual(logits.shape.slice(0, -1), targets.shape),
    () => `softmaxCrossEntropy: targets [${targets.shape}] must be logits [${logits.shape}] without its last axis`,
  )
  return vocab
}

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
  checkedVocab(logits, targets)
  return composed(logits, targets, ignoreIndex)
}

/**
 * The loss of each position, -log softmax(logits)[target], over logits [..., vocab] and int32
 * targets [...]: 0 where the target is `ignoreIndex`, NaN where it is outside [0, vocab). One
 * WGSL pass over the logits on webgpu, composed ops elsewhere.
 */
export const softmaxCrossEntropy = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex = defaultIgnoreIndex): tf.Tensor => {
  const vocab = checkedVocab(logits, targets)
  if (!usesWgslKernel(crossEntropyKernelName)) return composed(logits, targets, ignoreIndex)
  return tf.tidy(() =>
    runKernel(crossEntropyKernelName, { logits: logits.reshape([-1, vocab]), targets: targets.reshape([-1]) }, { ignoreIndex }).reshape(targets.shape),
  )
}

// softmaxCrossEntropyWithGrad: the per-position losses and, from the same pass, their gradient for
// the logits, softmax − onehot(target). The causal LM loss (@peftlab/models' nextTokenLosses)
// keeps that gradient instead of the logits for its backward pass, and softmaxCrossEntropy's
// gradient is it times dy. One kernel where the backend has one (the wasm plugin's C, registered
// under the name below), else composed tfjs ops, which every backend runs.
import * as tf from "@tensorflow/tfjs"
import { runKernels, usesFusedKernel } from "../shared/kernel-path.ts"
import { checkedVocab, defaultIgnoreIndex } from "./cross-entropy-inputs.ts"
import { oneHotOf } from "./one-hot.ts"

/** Inputs logits [rows, vocab] (float32) and targets [rows] (int32), attribute ignoreIndex; outputs the losses [rows] and dlogits [rows, vocab]. */
export const crossEntropyWithGradKernelName = "PeftlabSoftmaxCrossEntropyWithGrad"

/** The losses (the targets' shape) and their gradient for the logits (the logits' shape). */
export type LossesWithGrad = {
  readonly losses: tf.Tensor
  readonly dLogits: tf.Tensor
}

const composed = (logits: tf.Tensor2D, targets: tf.Tensor1D, ignoreIndex: number): [tf.Tensor, tf.Tensor] =>
  tf.tidy(() => {
    const [rows, vocab] = logits.shape
    const logNormaliser = tf.logSumExp(logits, -1, true)
    const inVocab = targets.greaterEqual(0).logicalAnd(targets.less(vocab))
    const counted = targets.notEqual(ignoreIndex)
    // Each row's logit at its target; at column 0 where the target is outside the vocabulary (its loss is NaN).
    const at = tf.range(0, rows, 1, "int32").mul(tf.scalar(vocab, "int32")).add(tf.where(inVocab, targets, tf.zerosLike(targets)))
    const loss = logNormaliser.reshape([rows]).sub(tf.gather(logits.reshape([-1]), at))
    const losses = tf.where(counted, tf.where(inVocab, loss, tf.fill([rows], Number.NaN)), tf.zerosLike(loss))
    const dLogits = tf.exp(logits.sub(logNormaliser)).sub(oneHotOf(targets, vocab)).mul(counted.toFloat().expandDims(1))
    return [losses, dLogits]
  })

/** The op on logits and targets of any leading shape, run as rows by the kernel when `fused`, else by the composed ops. */
const onRows = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex: number, fused: boolean): LossesWithGrad => {
  const vocab = checkedVocab("softmaxCrossEntropyWithGrad", logits, targets)
  const [losses, dLogits] = tf.tidy(() => {
    const [rowLogits, rowTargets] = [logits.reshape([-1, vocab]) as tf.Tensor2D, targets.reshape([-1]) as tf.Tensor1D]
    const [rowLosses, rowGrads] = fused
      ? runKernels(crossEntropyWithGradKernelName, { logits: rowLogits, targets: rowTargets }, { ignoreIndex })
      : composed(rowLogits, rowTargets, ignoreIndex)
    return [rowLosses!.reshape(targets.shape), rowGrads!.reshape(logits.shape)]
  })
  return { losses, dLogits }
}

/**
 * The loss of each position, -log softmax(logits)[target], over logits [..., vocab] and int32
 * targets [...], and its gradient for the logits, softmax(logits) − onehot(target). Where the
 * target is `ignoreIndex`: loss 0, gradient 0. Where it is outside [0, vocab): loss NaN, and the
 * softmax as the gradient (no one-hot to subtract). Not differentiable itself: it is a gradient.
 */
export const softmaxCrossEntropyWithGrad = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex = defaultIgnoreIndex): LossesWithGrad =>
  onRows(logits, targets, ignoreIndex, usesFusedKernel(crossEntropyWithGradKernelName))

/** softmaxCrossEntropyWithGrad composed of tfjs ops: the reference and the fallback. */
export const softmaxCrossEntropyWithGradComposed = (logits: tf.Tensor, targets: tf.Tensor, ignoreIndex = defaultIgnoreIndex): LossesWithGrad =>
  onRows(logits, targets, ignoreIndex, false)

// The webgpu kernel behind softmaxCrossEntropy, and its gradient, written with composed tfjs ops.
import * as tf from "@tensorflow/tfjs"
import { wgslKernel } from "../shared/kernel-path.ts"
import { crossEntropyProgram } from "./cross-entropy-program.ts"
import { oneHotOf } from "./one-hot.ts"

export const crossEntropyKernelName = "PeftlabSoftmaxCrossEntropy"

/** Inputs logits [rows, vocab] (float32) and targets [rows] (int32); attribute ignoreIndex. */
export const crossEntropyKernel: tf.KernelConfig = wgslKernel(crossEntropyKernelName, ({ logits, targets }, attrs) => {
  const [rows, vocab] = logits!.shape as [number, number]
  return { program: crossEntropyProgram(rows, vocab), inputs: [logits!, targets!], uniforms: [{ type: "int32", data: [attrs.ignoreIndex as number] }] }
})

// dlogits = dy (softmax(logits) - onehot(target)) on rows that are not ignored, 0 on those that are.
export const crossEntropyGradient: tf.GradConfig = {
  kernelName: crossEntropyKernelName,
  inputsToSave: ["logits", "targets"],
  gradFunc: (dy, saved, attrs) => {
    const [logits, targets] = saved as [tf.Tensor2D, tf.Tensor1D]
    return {
      logits: () => {
        const counted = targets.notEqual(attrs.ignoreIndex as number).toFloat()
        const delta = tf.softmax(logits).sub(oneHotOf(targets, logits.shape[1]))
        return delta.mul((dy as tf.Tensor1D).mul(counted).expandDims(1))
      },
      targets: () => tf.zerosLike(targets),
    }
  },
}

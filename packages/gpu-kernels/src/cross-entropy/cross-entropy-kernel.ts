// The webgpu kernel behind softmaxCrossEntropy, and its gradient (on every backend), which is
// softmaxCrossEntropyWithGrad's.
import * as tf from "@tensorflow/tfjs"
import { wgslKernel } from "../shared/kernel-path.ts"
import { crossEntropyProgram } from "./cross-entropy-program.ts"
import { softmaxCrossEntropyWithGrad } from "./cross-entropy-with-grad-op.ts"

export const crossEntropyKernelName = "PeftlabSoftmaxCrossEntropy"

/** Inputs logits [rows, vocab] (float32) and targets [rows] (int32); attribute ignoreIndex. */
export const crossEntropyKernel: tf.KernelConfig = wgslKernel(crossEntropyKernelName, ({ logits, targets }, attrs) => {
  const [rows, vocab] = logits!.shape as [number, number]
  return { program: crossEntropyProgram(rows, vocab), inputs: [logits!, targets!], uniforms: [{ type: "int32", data: [attrs.ignoreIndex as number] }] }
})

// dlogits = dy (softmax(logits) - onehot(target)), 0 on ignored rows: softmaxCrossEntropyWithGrad's
// gradient, from its kernel where the backend has one (wasm), else from composed ops.
export const crossEntropyGradient: tf.GradConfig = {
  kernelName: crossEntropyKernelName,
  inputsToSave: ["logits", "targets"],
  gradFunc: (dy, saved, attrs) => {
    const [logits, targets] = saved as [tf.Tensor2D, tf.Tensor1D]
    return {
      logits: () =>
        tf.tidy(() => softmaxCrossEntropyWithGrad(logits, targets, attrs.ignoreIndex as number).dLogits.mul((dy as tf.Tensor1D).expandDims(1))),
      targets: () => tf.zerosLike(targets),
    }
  },
}

// Softmax cross-entropy, with and without its gradient for the logits, as tfjs kernels for the
// "wasm" backend, on cross-entropy.wasm (c/cross-entropy.c), which works in tfjs-wasm's heap.
// @peftlab/gpu-kernels' softmaxCrossEntropy and softmaxCrossEntropyWithGrad run them by name
// whenever the backend has them (the first has a WGSL kernel of the same name on webgpu): the
// names, inputs and attributes below are the contract.
import type * as tf from "@tensorflow/tfjs"
import { heapKernel, type HeapKernelModule } from "../heap-module.ts"

/** Inputs logits [rows, vocab] (float32) and targets [rows] (int32), attribute ignoreIndex; output the losses [rows]. */
export const crossEntropyKernelName = "PeftlabSoftmaxCrossEntropy"
/** crossEntropyKernelName's inputs and attribute; outputs the losses [rows] and dlogits [rows, vocab] = softmax − onehot(target). */
export const crossEntropyWithGradKernelName = "PeftlabSoftmaxCrossEntropyWithGrad"

export interface CrossEntropyExports {
  cross_entropy(logits: number, targets: number, losses: number, rows: number, vocab: number, ignoreIndex: number): void
  cross_entropy_with_grad(logits: number, targets: number, losses: number, dLogits: number, rows: number, vocab: number, ignoreIndex: number): void
}

/** cross-entropy.wasm, shipped beside this file. */
export const crossEntropyWasmUrl = new URL("./cross-entropy.wasm", import.meta.url)

/** The logits' [rows, vocab], once they are float32 [rows, vocab] and the targets int32 [rows]. */
const rowsAndVocab = (kernelName: string, logits: tf.TensorInfo, targets: tf.TensorInfo): [number, number] => {
  const [rows, vocab] = logits.shape
  if (logits.dtype !== "float32" || targets.dtype !== "int32") {
    throw new TypeError(`${kernelName}: expected float32 logits and int32 targets, got ${logits.dtype} and ${targets.dtype}`)
  }
  if (logits.shape.length !== 2 || targets.shape.length !== 1 || targets.shape[0] !== rows) {
    throw new TypeError(`${kernelName}: expected logits [rows, vocab] and targets [rows], got logits [${logits.shape}] and targets [${targets.shape}]`)
  }
  return [rows!, vocab!]
}

/** Both kernel configs over the compiled module. */
export const crossEntropyKernels = (module: HeapKernelModule<CrossEntropyExports>): ReadonlyArray<tf.KernelConfig> => [
  heapKernel(crossEntropyKernelName, module, ({ logits, targets }, attrs, { exports, at, output }) => {
    const [rows, vocab] = rowsAndVocab(crossEntropyKernelName, logits!, targets!)
    const losses = output([rows])
    exports.cross_entropy(at(logits!), at(targets!), at(losses), rows, vocab, attrs.ignoreIndex as number)
    return losses
  }),
  heapKernel(crossEntropyWithGradKernelName, module, ({ logits, targets }, attrs, { exports, at, output }) => {
    const [rows, vocab] = rowsAndVocab(crossEntropyWithGradKernelName, logits!, targets!)
    const [losses, dLogits] = [output([rows]), output([rows, vocab])]
    exports.cross_entropy_with_grad(at(logits!), at(targets!), at(losses), at(dLogits), rows, vocab, attrs.ignoreIndex as number)
    return [losses, dLogits]
  }),
]

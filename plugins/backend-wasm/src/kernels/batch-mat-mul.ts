// BatchMatMul with transposed operands, made fast: tfjs-backend-wasm 4.22 multiplies a
// transposed operand in a plain loop, 20-30x slower than its XNNPACK path for untransposed
// ones (measured on [1024,128]x[128,512]: 169 ms against 8 ms). Every linear layer multiplies
// by a transposed [out, in] weight, and every weight gradient by a transposed activation, so
// the operand is transposed first (cheap, memory-bound) and the fast path does the product.
import type * as tf from "@tensorflow/tfjs"

interface WasmBackend {
  disposeData(dataId: tf.TensorInfo["dataId"]): boolean
}

type KernelArgs = Parameters<tf.KernelConfig["kernelFunc"]>[0]

/** The matrix transpose (last two axes) of `x` by the backend's own Transpose kernel. */
const transposed = (transpose: tf.KernelConfig, x: tf.TensorInfo, backend: KernelArgs["backend"]): tf.TensorInfo => {
  const perm = x.shape.map((_, i) => i)
  const last = perm.length - 1
  ;[perm[last - 1], perm[last]] = [perm[last]!, perm[last - 1]!]
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo
}

/** A BatchMatMul config calling `original` with untransposed operands only. */
export const untransposedBatchMatMul = (original: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig => ({
  ...original,
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean }
    if (!transposeA && !transposeB) return original.kernelFunc(args)
    const left = transposeA ? transposed(transpose, a, backend) : a
    const right = transposeB ? transposed(transpose, b, backend) : b
    try {
      return original.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...attrs, transposeA: false, transposeB: false } })
    } finally {
      for (const made of [left, right].filter((t) => t !== a && t !== b)) (backend as unknown as WasmBackend).disposeData(made.dataId)
    }
  },
})

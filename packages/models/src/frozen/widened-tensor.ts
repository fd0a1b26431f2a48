// Widened float32 copies of frozen matrices as tensors, made for one matmul and freed after it.
// tfjs-backend-wasm copies a new tensor's values into its heap at once, so there one scratch
// array serves every widening and a forward pass allocates no host memory per layer; the cpu
// backend keeps the array it is given as the tensor's storage (and webgpu keeps it until its
// upload), so those get a fresh array each time.
import * as tf from "@tensorflow/tfjs"
import { widen, widenTransposed, type FrozenMatrix } from "./frozen-matrix.ts"

let scratch = new Float32Array(0)

const target = (size: number): Float32Array<ArrayBuffer> => {
  if (tf.getBackend() !== "wasm") return new Float32Array(size)
  if (scratch.length < size) scratch = new Float32Array(size)
  return scratch.subarray(0, size)
}

/** The matrix as a float32 tensor of its own shape. */
export const widenedTensor = (matrix: FrozenMatrix): tf.Tensor2D => tf.tensor2d(widen(matrix, target(matrix.size)), [...matrix.shape])

/** The matrix's transpose as a float32 tensor [columns, rows]. */
export const widenedTransposedTensor = (matrix: FrozenMatrix): tf.Tensor2D =>
  tf.tensor2d(widenTransposed(matrix, target(matrix.size)), [matrix.shape[1], matrix.shape[0]])

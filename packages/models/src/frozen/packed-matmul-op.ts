// A matmul by a frozen matrix that stays packed (NF4 codes, bf16 bits) on a backend with a kernel
// for it: @peftlab/backend-wasm registers one for "wasm" under the name below, which dequantizes
// inside the kernel instead of widening the whole weight to a float32 tensor per call. This
// package only names the kernel and its attributes, so it depends on no backend plugin;
// frozen-linear.ts takes this path where tfjs has the kernel for the backend in use.
import * as tf from "@tensorflow/tfjs"
import type { FrozenMatrix, FrozenStorage, SharedMatrix } from "./frozen-matrix.ts"

/** The kernel's name in tfjs's registry (the wasm plugin's packedMatMulKernelName). */
export const packedMatMulKernelName = "PeftlabPackedMatMul"

/** The storages a kernel registered under that name multiplies by. */
export const packedStorages: ReadonlySet<FrozenStorage> = new Set(["NF4", "BF16"])

/** Whether the backend in use has the packed kernel, and it takes `matrix`'s storage. */
export const usesPackedKernel = (matrix: FrozenMatrix): boolean =>
  packedStorages.has(matrix.storage) && tf.getKernel(packedMatMulKernelName, tf.getBackend()) !== undefined

/**
 * x [rows, depth] times Wᵀ (`transposeWeight`, depth = W's columns) or W (depth = W's rows), plus
 * `bias` on every row, with W the matrix `weight` describes (its memory travels as an attribute,
 * not a tensor). Not differentiable by itself: frozen-linear.ts wraps it in a custom gradient.
 */
export const packedMatMul = (x: tf.Tensor2D, weight: SharedMatrix, transposeWeight: boolean, bias?: tf.Tensor1D): tf.Tensor2D => {
  const [rows, columns] = weight.shape
  const depth = transposeWeight ? columns : rows
  if (x.rank !== 2 || x.shape[1] !== depth) throw new RangeError(`packedMatMul: x [${x.shape}] cannot multiply W${transposeWeight ? "ᵀ" : ""} of W [${rows}, ${columns}]`)
  const inputs: tf.NamedTensorMap = bias ? { x, bias } : { x }
  // The attribute is a plain object over host memory; tfjs passes attributes to the kernel as they are.
  const attrs = { weight, transposeWeight } as unknown as tf.NamedAttrMap
  return tf.engine().runKernel(packedMatMulKernelName, inputs, attrs) as tf.Tensor2D
}

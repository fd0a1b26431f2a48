import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { shaderF16Support } from "../shared/shader-f16.ts"
import type { TilePrecision } from "./tile-loop.wgsl.ts"
import { tiledMatMulKernelName } from "./tiled-matmul-kernel.ts"

export interface TiledMatMulOptions {
  /**
   * "f16" rounds the operands to f16 and accumulates in f16 (about 3 significant digits; every
   * value and partial sum must stay within ±65504), where tfjs's webgpu device has the shader-f16
   * feature; elsewhere it computes in f32, warning once per reason (shaderF16Support() says why).
   */
  readonly precision?: TilePrecision
}

const check = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): void => {
  tf.util.assert(a.dtype === "float32" && b.dtype === "float32", () => `tiledMatMul: expected float32 tensors, got ${a.dtype} and ${b.dtype}`)
  const inner = [a.shape[transposeA ? 0 : 1], b.shape[transposeB ? 1 : 0]]
  tf.util.assert(
    a.rank === 2 && b.rank === 2 && inner[0] === inner[1],
    () => `tiledMatMul: a [${a.shape}]${transposeA ? "ᵀ" : ""} and b [${b.shape}]${transposeB ? "ᵀ" : ""} must be matrices with the same inner size`,
  )
}

const reasonsWarned = new Set<string>()

/** The precision the kernel can run: f16 only where asked for and supported. */
const runnablePrecision = (precision: TilePrecision): TilePrecision => {
  if (precision === "f32") return precision
  const support = shaderF16Support()
  if (support.available) return precision
  if (!reasonsWarned.has(support.reason)) console.warn(`tiledMatMul: computing in f32 rather than f16: ${support.reason}`)
  reasonsWarned.add(support.reason)
  return "f32"
}

/**
 * op(a) op(b) for matrices, op transposing when asked: tiled WGSL on webgpu, tfjs's matMul
 * elsewhere. Its gradient uses tfjs's matMul (float32).
 */
export const tiledMatMul = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false, options: TiledMatMulOptions = {}): tf.Tensor2D => {
  check(a, b, transposeA, transposeB)
  const precision = runnablePrecision(options.precision ?? "f32")
  if (!usesWgslKernel(tiledMatMulKernelName)) return tf.matMul(a, b, transposeA, transposeB)
  return runKernel(tiledMatMulKernelName, { a, b }, { transposeA, transposeB, precision }) as tf.Tensor2D
}

// BatchMatMul for the "wasm" backend on the plugin's own GEMM (gemm.wasm), faster than XNNPACK
// per thread on most of the models' products (tools/bench/results/gemm.md): both operands are
// read from tfjs-wasm's heap, multiplied in the GEMM module's memory in whichever transpose
// combination tfjs asks for (the packing reads the stored layout, so nothing is transposed
// first), and the products are copied into a new tensor.
import * as tf from "@tensorflow/tfjs"
import { broadcastIndices } from "../batch-mat-mul.ts"
import { heapOutput, heapView, type WasmHeapBackend } from "../tfjs-heap.ts"
import type { GemmModule } from "./gemm-module.ts"

/** A BatchMatMul config computing float32 products on `gemm`, and anything else on `fallback`. */
export const gemmBatchMatMul = (gemm: GemmModule, fallback: tf.KernelConfig): tf.KernelConfig => ({
  ...fallback,
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    if (a.dtype !== "float32" || b.dtype !== "float32") return fallback.kernelFunc(args)
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
    const m = transposeA ? a.shape.at(-1)! : a.shape.at(-2)!
    const k = transposeA ? a.shape.at(-2)! : a.shape.at(-1)!
    const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!
    const depthB = transposeB ? b.shape.at(-1)! : b.shape.at(-2)!
    // An empty product (nothing to sum, or nothing to write) stays with the fallback.
    if (m * n * k === 0) return fallback.kernelFunc(args)
    if (depthB !== k) throw new TypeError(`BatchMatMul: inner dimensions ${k} and ${depthB} of [${a.shape}] and [${b.shape}] differ (transposeA ${transposeA}, transposeB ${transposeB})`)
    const [aDims, bDims] = [a.shape.slice(0, -2), b.shape.slice(0, -2)]
    const outer = tf.backend_util.assertAndGetBroadcastShape(aDims, bDims)
    const bIndex = broadcastIndices(outer, bDims)
    const pairs = broadcastIndices(outer, aDims).map((i, p) => [i, bIndex[p]!] as const)
    const heap = args.backend as unknown as WasmHeapBackend
    const products = gemm.run({ a: heapView(heap, a), b: heapView(heap, b), transposeA, transposeB, m, n, k, pairs })
    return heapOutput(heap, [...outer, m, n], products)
  },
})

// The wasm plugin's packed-weight matmul (x times a frozen weight kept as bf16 bits or NF4 codes,
// @peftlab/models' packedMatMulKernelName) on the native GEMM: x and the bias are read in
// tfjs-wasm's heap and the product written there (no copies), the weight read from host memory
// where the frozen matrix keeps it and dequantized panel by panel as the GEMM packs it. Weights
// in a storage the native GEMM does not take go to `fallback`, the kernel registered before (the
// wasm plugin's packed-matmul.wasm), which also says what is wrong with them.
import * as tf from "@tensorflow/tfjs"
import { heapView, packedMatMulKernelName, type PackedMatMulAttrs, type PackedWeight, type WasmHeapBackend } from "@peftlab/backend-wasm"
import type { NativeGemm } from "@peftlab/native-gemm"

/** The weight as the native call takes it: its bytes, NF4's scales and block size. */
const nativeOperand = (weight: PackedWeight) => {
  if (weight.storage === "BF16") return { storage: weight.storage, bytes: weight.bytes, absmax: null, blockSize: 0 }
  if (weight.storage === "NF4") return { storage: weight.storage, bytes: weight.quantized.codes, absmax: weight.quantized.absmax, blockSize: weight.quantized.blockSize }
  return undefined
}

/** The packed matmul kernel on `native()` (the backend's current GEMM); `fallback` runs what it does not take (none: those throw). */
export const nativePackedMatMul = (native: () => NativeGemm, fallback: tf.KernelConfig | undefined): tf.KernelConfig => ({
  kernelName: packedMatMulKernelName,
  backendName: "wasm",
  kernelFunc: (args) => {
    const { x, bias } = args.inputs as { x: tf.TensorInfo; bias?: tf.TensorInfo }
    const { weight, transposeWeight } = args.attrs as unknown as PackedMatMulAttrs
    const operand = nativeOperand(weight)
    if (operand === undefined || x.dtype !== "float32" || x.shape.length !== 2) {
      if (fallback) return fallback.kernelFunc(args)
      throw new TypeError(`${packedMatMulKernelName}: the native GEMM multiplies a 2-D float32 x by a BF16 or NF4 weight, got x ${x.dtype} [${x.shape}] and ${weight.storage}`)
    }
    const [rows, cols] = weight.shape
    const [n, k] = transposeWeight ? [rows, cols] : [cols, rows]
    const m = x.shape[0]!
    const heap = args.backend as unknown as WasmHeapBackend & Pick<tf.KernelBackend, "disposeData">
    // Allocated before any view is taken: growing the heap would detach earlier views.
    const out = heap.makeOutput([m, n], "float32")
    try {
      const { storage, bytes, absmax, blockSize } = operand
      native().packedGemm(heapView(heap, x), bytes, absmax, bias ? heapView(heap, bias) : null, heapView(heap, out), m, n, k, storage, blockSize, transposeWeight)
    } catch (error) {
      // A weight or bias that does not fit x (the native call checks before writing): no tensor is left behind.
      heap.disposeData(out.dataId)
      throw error
    }
    return out
  },
})

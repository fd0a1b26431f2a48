// tfjs-wasm's BatchMatMul on the native GEMM, in place in tfjs-wasm's heap: the operands are read
// and the product written where tfjs keeps them (no copies), one product after another for a
// batch. Shapes the native call does not take (other dtypes, batch dimensions broadcast other than
// a single matrix against a batch) go to `fallback`, the kernel registered before (the wasm
// plugin's own GEMM).
import * as tf from "@tensorflow/tfjs"
import { heapView, type WasmHeapBackend } from "@peftlab/backend-wasm"
import type { NativeGemm } from "@peftlab/native-gemm"

const size = (dims: ReadonlyArray<number>) => dims.reduce((product, d) => product * d, 1)
const sameDims = (x: ReadonlyArray<number>, y: ReadonlyArray<number>) => x.length === y.length && x.every((d, i) => d === y[i])

/** The output's batch dimensions when the native call can run them: equal batches, or one side a single matrix. */
const nativeBatch = (a: tf.TensorInfo, b: tf.TensorInfo): ReadonlyArray<number> | undefined => {
  const [batchA, batchB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)]
  if (sameDims(batchA, batchB)) return batchA
  if (size(batchA) === 1) return batchB.length >= batchA.length ? batchB : undefined
  if (size(batchB) === 1) return batchA.length >= batchB.length ? batchA : undefined
  return undefined
}

/** BatchMatMul on `native()` (the backend's current GEMM); `fallback` runs what it does not take. */
export const nativeBatchMatMul = (native: () => NativeGemm, fallback: tf.KernelConfig): tf.KernelConfig => ({
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean }
    const batch = a.dtype === "float32" && b.dtype === "float32" ? nativeBatch(a, b) : undefined
    if (batch === undefined) return fallback.kernelFunc(args)
    const [m, k] = transposeA ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!]
    const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!
    const heap = args.backend as unknown as WasmHeapBackend
    // Allocated before any view is taken: growing the heap would detach earlier views.
    const out = heap.makeOutput([...batch, m, n], "float32")
    if (m > 0 && n > 0) native().batchedGemm(heapView(heap, a), heapView(heap, b), heapView(heap, out), size(batch), m, n, k, transposeA, transposeB)
    return out
  },
})

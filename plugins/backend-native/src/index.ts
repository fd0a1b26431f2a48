// The "native" backend: tfjs's WebAssembly backend (the wasm plugin with all its kernels) whose
// matrix products, those by frozen bf16/NF4 weights included, run on @peftlab/native-gemm, a
// prebuilt N-API addon with AVX-512 and AVX2 kernels, several times faster per thread than
// WebAssembly's 128-bit SIMD can be, and split across the threads setup() is given (the worker's
// share of the cores; all of them by default; PEFTLAB_NATIVE_THREADS overrides). Fused attention
// and its gradient run on the addon too, on the calling thread. Opt-in with
// `--backend native` (or `backend: native`), not the default: its sums are ordered by the CPU's
// vector width, so results match wasm's within float32 rounding rather than bit for bit, and differ
// slightly between an AVX-512 and an AVX2 machine (never between thread counts). Where the addon
// has no prebuilt (other platforms) or cannot load, probe() says why and the run stops before
// anything is written.
import * as tf from "@tensorflow/tfjs"
import { hostDevice, type BackendPlugin } from "@peftlab/core"
import { packedMatMulKernelName, plugin as wasm } from "@peftlab/backend-wasm"
import { loadNativeGemm, type NativeGemm } from "@peftlab/native-gemm"
import { nativeBatchMatMul } from "./native-batch-mat-mul.ts"
import { nativeFlashAttention } from "./native-flash-attention.ts"
import { nativePackedMatMul } from "./native-packed-mat-mul.ts"

// The addon as this thread's latest setup() loaded it (each data-parallel worker loads its own),
// and the kernels, registered once, calling whichever that is.
let native: NativeGemm | undefined
let registered = false

const current = (): NativeGemm => {
  if (!native) throw new Error("the native backend was not set up")
  return native
}

export const plugin: BackendPlugin = {
  name: "native",
  description: "tfjs WebAssembly backend with matrix products on a prebuilt native GEMM (AVX-512, AVX2), multi-threaded",
  probe: async () => {
    const base = await wasm.probe()
    if (!base.available) return base
    const load = loadNativeGemm()
    return load.gemm === undefined ? { available: false, reason: load.reason } : { available: true }
  },
  setup: async (options = {}) => {
    await wasm.setup()
    const load = loadNativeGemm(options.threads === undefined ? {} : { threads: options.threads })
    if (load.gemm === undefined) throw new Error(load.reason)
    native = load.gemm
    if (!registered) {
      const batchMatMul = tf.getKernel("BatchMatMul", "wasm")
      if (!batchMatMul) throw new Error("the wasm backend registered no BatchMatMul kernel")
      tf.unregisterKernel("BatchMatMul", "wasm")
      tf.registerKernel(nativeBatchMatMul(current, batchMatMul))
      // The wasm plugin registers its packed matmul only where packed-matmul.wasm was found.
      const packed = tf.getKernel(packedMatMulKernelName, "wasm")
      if (packed) tf.unregisterKernel(packedMatMulKernelName, "wasm")
      tf.registerKernel(nativePackedMatMul(current, packed))
      // Fused attention in place of the wasm plugin's (registered wherever flash-attention.wasm was found).
      for (const kernel of nativeFlashAttention(current)) {
        if (tf.getKernel(kernel.kernelName, "wasm")) tf.unregisterKernel(kernel.kernelName, "wasm")
        tf.registerKernel(kernel)
      }
      registered = true
    }
  },
  device: async () => {
    const { kernel, threads } = current().info()
    return hostDevice(threads, `WebAssembly SIMD on one, matrix products on the native GEMM (${kernel.name}) on ${threads}`)
  },
  memory: wasm.memory,
}

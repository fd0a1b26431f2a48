// The "native" backend: tfjs's WebAssembly backend (the wasm plugin with all its kernels) whose
// matrix products, those by frozen bf16/NF4 weights included, run on @peftlab/native-gemm, a
// prebuilt N-API addon with AVX-512 and AVX2 kernels, several times faster per thread than
// WebAssembly's 128-bit SIMD can be. Opt-in with
// `--backend native` (or `backend: native`), not the default: its sums are ordered by the CPU's
// vector width, so results match wasm's within float32 rounding rather than bit for bit, and differ
// slightly between an AVX-512 and an AVX2 machine. Where the addon has no prebuilt (other
// platforms) or cannot load, probe() says why and the run stops before anything is written.
import * as tf from "@tensorflow/tfjs"
import { hostDevice, type BackendPlugin } from "@peftlab/core"
import { packedMatMulKernelName, plugin as wasm } from "@peftlab/backend-wasm"
import { loadNativeGemm, type NativeGemm } from "@peftlab/native-gemm"
import { nativeBatchMatMul } from "./native-batch-mat-mul.ts"
import { nativePackedMatMul } from "./native-packed-mat-mul.ts"

// The addon loaded once per thread (each data-parallel worker loads its own), and the kernels registered once.
let native: NativeGemm | undefined
let registered = false

const loaded = (): NativeGemm => {
  if (native) return native
  const load = loadNativeGemm()
  if (load.gemm === undefined) throw new Error(load.reason)
  return (native = load.gemm)
}

export const plugin: BackendPlugin = {
  name: "native",
  description: "tfjs WebAssembly backend with matrix products on a prebuilt native GEMM (AVX-512, AVX2)",
  probe: async () => {
    const base = await wasm.probe()
    if (!base.available) return base
    const load = loadNativeGemm()
    return load.gemm === undefined ? { available: false, reason: load.reason } : { available: true }
  },
  setup: async () => {
    await wasm.setup()
    const gemm = loaded()
    if (!registered) {
      const current = tf.getKernel("BatchMatMul", "wasm")
      if (!current) throw new Error("the wasm backend registered no BatchMatMul kernel")
      tf.unregisterKernel("BatchMatMul", "wasm")
      tf.registerKernel(nativeBatchMatMul(gemm, current))
      // The wasm plugin registers its packed matmul only where packed-matmul.wasm was found.
      const packed = tf.getKernel(packedMatMulKernelName, "wasm")
      if (packed) tf.unregisterKernel(packedMatMulKernelName, "wasm")
      tf.registerKernel(nativePackedMatMul(gemm, packed))
      registered = true
    }
  },
  device: async () => hostDevice(1, `WebAssembly SIMD, matrix products on the native GEMM (${loaded().info().kernel.name})`),
  memory: wasm.memory,
}

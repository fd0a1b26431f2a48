// tfjs's WebAssembly backend (XNNPACK kernels, SIMD when the runtime has it). Its Emscripten
// loader looks for the .wasm binaries next to the script; we point it at the installed
// package's dist/ folder explicitly, so Node reads them from disk and never fetches a URL.
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { hostDevice, type BackendPlugin } from "@peftlab/core"
import { untransposedBatchMatMul } from "./kernels/batch-mat-mul.ts"
import { crossEntropyKernels, crossEntropyWasmUrl, type CrossEntropyExports } from "./kernels/cross-entropy/cross-entropy-kernel.ts"
import { flashAttentionKernels, flashAttentionWasmUrl, type FlashAttentionExports } from "./kernels/flash-attention/flash-attention-kernel.ts"
import { gemmBatchMatMul } from "./kernels/gemm/gemm-kernel.ts"
import { gemmWasmUrl, loadGemm, type GemmModule } from "./kernels/gemm/gemm-module.ts"
import { compileHeapKernelModule, type HeapKernelModule } from "./kernels/heap-module.ts"
import { packedMatMulKernel, packedMatMulKernelName } from "./kernels/packed-matmul/packed-matmul-kernel.ts"
import { loadPackedMatMul, packedMatMulWasmUrl, type PackedMatMulModule } from "./kernels/packed-matmul/packed-matmul-module.ts"
import { rmsNormKernels, rmsNormWasmUrl, type RmsNormExports } from "./kernels/rms-norm/rms-norm-kernel.ts"
import { ropeKernels, ropeWasmUrl, type RopeExports } from "./kernels/rope/rope-kernel.ts"
import { sharedIdentityConfig } from "./kernels/shared-identity.ts"
import { swiGluKernels, swiGluWasmUrl, type SwiGluExports } from "./kernels/swiglu/swiglu-kernel.ts"
import { unsortedSegmentSumConfig } from "./kernels/unsorted-segment-sum.ts"

// Node has no cross-origin isolation for the threaded build, so it loads one of these two.
const binaries = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"] as const

/** dist/ of the installed @tensorflow/tfjs-backend-wasm: its Node entry point and binaries live there. */
export const installedWasmDir = (): string =>
  dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))

const missingBinary = (wasmDir: string): string | undefined =>
  binaries.map((name) => join(wasmDir, name)).find((path) => !existsSync(path))

// Set up once per process, whichever plugin object sets the backend up first.
let patched: Promise<void> | undefined

type LoadedModules = [
  PackedMatMulModule | undefined,
  GemmModule | undefined,
  HeapKernelModule<RmsNormExports> | undefined,
  HeapKernelModule<SwiGluExports> | undefined,
  HeapKernelModule<FlashAttentionExports> | undefined,
  HeapKernelModule<CrossEntropyExports> | undefined,
  HeapKernelModule<RopeExports> | undefined,
]

const registerKernels = ([packed, gemm, rmsNorm, swiGlu, attention, crossEntropy, rope]: LoadedModules) => {
  tf.registerKernel(unsortedSegmentSumConfig)
  const onHeap = [...(rmsNorm ? rmsNormKernels(rmsNorm) : []), ...(swiGlu ? swiGluKernels(swiGlu) : []), ...(attention ? flashAttentionKernels(attention) : []), ...(crossEntropy ? crossEntropyKernels(crossEntropy) : []), ...(rope ? ropeKernels(rope) : [])]
  for (const kernel of onHeap) if (tf.getKernel(kernel.kernelName, "wasm") === undefined) tf.registerKernel(kernel)
  if (packed && tf.getKernel(packedMatMulKernelName, "wasm") === undefined) tf.registerKernel(packedMatMulKernel(packed))
  const original = tf.getKernel("BatchMatMul", "wasm")
  const transpose = tf.getKernel("Transpose", "wasm")
  if (!original || !transpose) throw new Error("tfjs-backend-wasm registered no BatchMatMul or Transpose kernel")
  tf.unregisterKernel("BatchMatMul", "wasm")
  const onXnnpack = untransposedBatchMatMul(original, transpose)
  tf.registerKernel(gemm ? gemmBatchMatMul(gemm, onXnnpack) : onXnnpack)
  const identity = tf.getKernel("Identity", "wasm")
  if (!identity) throw new Error("tfjs-backend-wasm registered no Identity kernel")
  tf.unregisterKernel("Identity", "wasm")
  tf.registerKernel(sharedIdentityConfig(identity))
}

/**
 * Kernels tfjs-backend-wasm lacks (UnsortedSegmentSum, the packed-weight matmul of frozen NF4 and
 * bf16 matrices, one-pass RMSNorm and SwiGLU, fused attention, each with its gradient, softmax
 * cross-entropy with its gradient for the logits, rotary position embeddings fused with the split into heads), and BatchMatMul on the plugin's own GEMM.
 */
const patchKernels = (): Promise<void> =>
  (patched ??= Promise.all([
    moduleOrNothing(loadPackedMatMul, packedMatMulWasmUrl, "frozen NF4 and bf16 weights are widened to float32 per call instead"),
    moduleOrNothing(loadGemm, gemmWasmUrl, "matrix products run on XNNPACK instead"),
    moduleOrNothing(() => compileHeapKernelModule<RmsNormExports>(rmsNormWasmUrl), rmsNormWasmUrl, "RMSNorm runs as composed tfjs ops instead"),
    moduleOrNothing(() => compileHeapKernelModule<SwiGluExports>(swiGluWasmUrl), swiGluWasmUrl, "SwiGLU runs as composed tfjs ops instead"),
    moduleOrNothing(() => compileHeapKernelModule<FlashAttentionExports>(flashAttentionWasmUrl), flashAttentionWasmUrl, "attention runs as composed tfjs ops instead"),
    moduleOrNothing(() => compileHeapKernelModule<CrossEntropyExports>(crossEntropyWasmUrl), crossEntropyWasmUrl, "the cross-entropy loss runs as composed tfjs ops instead"),
    moduleOrNothing(() => compileHeapKernelModule<RopeExports>(ropeWasmUrl), ropeWasmUrl, "rotary position embeddings run as composed tfjs ops instead"),
  ]).then(registerKernels))

/**
 * The kernel module at `url`, or undefined where its .wasm is not beside its loader (a
 * single-file bundle that left it behind): the plugin then warns and does without it.
 */
const moduleOrNothing = <Module>(load: () => Promise<Module>, url: URL, consequence: string): Promise<Module | undefined> =>
  load().catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error
    process.emitWarning(`${url.pathname} is missing: ${consequence}`)
    return undefined
  })

/** The wasm plugin, loading binaries from `wasmDir` (defaults to the installed package). */
export const makeWasmPlugin = (wasmDir?: string): BackendPlugin => {
  const resolveDir = (): string => wasmDir ?? installedWasmDir()
  return {
    name: "wasm",
    description: "tfjs WebAssembly backend (XNNPACK, SIMD), binaries read from local files",
    probe: async () => {
      if (!("WebAssembly" in globalThis)) return { available: false, reason: "this JavaScript runtime has no WebAssembly" }
      let dir: string
      try {
        dir = resolveDir()
      } catch {
        return { available: false, reason: "@tensorflow/tfjs-backend-wasm is not installed" }
      }
      const missing = missingBinary(dir)
      return missing === undefined
        ? { available: true }
        : { available: false, reason: `cannot find the WebAssembly binary ${missing}` }
    },
    setup: async () => {
      // Imported here rather than at the top: importing registers the backend with a higher
      // priority than cpu, which would change tfjs's default for programs that never chose wasm.
      const wasm = await import("@tensorflow/tfjs-backend-wasm")
      wasm.setWasmPaths(resolveDir() + sep)
      if (!(await tf.setBackend("wasm"))) throw new Error(`tfjs could not initialise its wasm backend from ${resolveDir()}`)
      await patchKernels()
      await tf.ready()
    },
    // Node has no cross-origin isolation, so tfjs loads a single-threaded build.
    device: async () => hostDevice(1, (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? "WebAssembly SIMD, XNNPACK" : "WebAssembly, XNNPACK"),
    memory: () => ({ tensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes }),
  }
}

export const plugin: BackendPlugin = makeWasmPlugin()

export { crossEntropyKernelName, crossEntropyWithGradKernelName } from "./kernels/cross-entropy/cross-entropy-kernel.ts"
export {
  flashAttentionGradKernelName,
  flashAttentionGradSizes,
  flashAttentionKernelName,
  flashAttentionSizes,
  type FlashAttentionSizes,
} from "./kernels/flash-attention/flash-attention-kernel.ts"
export { rmsNormGradKernelName, rmsNormKernelName } from "./kernels/rms-norm/rms-norm-kernel.ts"
export { ropeGradKernelName, ropeKernelName } from "./kernels/rope/rope-kernel.ts"
export { swiGluGradKernelName, swiGluKernelName } from "./kernels/swiglu/swiglu-kernel.ts"
export { packedMatMulKernelName, type PackedMatMulAttrs } from "./kernels/packed-matmul/packed-matmul-kernel.ts"
export { GemmError, loadGemm, type GemmBatch, type GemmModule } from "./kernels/gemm/gemm-module.ts"
export { heapView, type WasmHeapBackend } from "./kernels/tfjs-heap.ts"
export { loadPackedMatMul, PackedMatMulError, type PackedMatMulModule, type PackedWeight } from "./kernels/packed-matmul/packed-matmul-module.ts"

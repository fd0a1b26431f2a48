// tfjs's WebAssembly backend (XNNPACK kernels, SIMD when the runtime has it). Its Emscripten
// loader looks for the .wasm binaries next to the script; we point it at the installed
// package's dist/ folder explicitly, so Node reads them from disk and never fetches a URL.
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { hostDevice, type BackendPlugin } from "@peftlab/core"
import { untransposedBatchMatMul } from "./kernels/batch-mat-mul.ts"
import { packedMatMulKernel, packedMatMulKernelName } from "./kernels/packed-matmul/packed-matmul-kernel.ts"
import { loadPackedMatMul, packedMatMulWasmUrl, type PackedMatMulModule } from "./kernels/packed-matmul/packed-matmul-module.ts"
import { sharedIdentityConfig } from "./kernels/shared-identity.ts"
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

const registerKernels = (packed: PackedMatMulModule | undefined) => {
  tf.registerKernel(unsortedSegmentSumConfig)
  if (packed && tf.getKernel(packedMatMulKernelName, "wasm") === undefined) tf.registerKernel(packedMatMulKernel(packed))
  const original = tf.getKernel("BatchMatMul", "wasm")
  const transpose = tf.getKernel("Transpose", "wasm")
  if (!original || !transpose) throw new Error("tfjs-backend-wasm registered no BatchMatMul or Transpose kernel")
  tf.unregisterKernel("BatchMatMul", "wasm")
  tf.registerKernel(untransposedBatchMatMul(original, transpose))
  const identity = tf.getKernel("Identity", "wasm")
  if (!identity) throw new Error("tfjs-backend-wasm registered no Identity kernel")
  tf.unregisterKernel("Identity", "wasm")
  tf.registerKernel(sharedIdentityConfig(identity))
}

/**
 * Kernels tfjs-backend-wasm lacks (UnsortedSegmentSum, the packed-weight matmul of frozen NF4 and
 * bf16 matrices), and BatchMatMul made fast for transposed operands.
 */
const patchKernels = (): Promise<void> => (patched ??= packedMatMulOrNothing().then(registerKernels))

/**
 * The packed matmul module, or undefined where packed-matmul.wasm is not beside its loader (a
 * single-file bundle that left it behind): frozen matrices then widen per call, as before it.
 */
const packedMatMulOrNothing = (): Promise<PackedMatMulModule | undefined> =>
  loadPackedMatMul().catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error
    process.emitWarning(`${packedMatMulWasmUrl.pathname} is missing: frozen NF4 and bf16 weights are widened to float32 per call instead`)
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

export { packedMatMulKernelName, type PackedMatMulAttrs } from "./kernels/packed-matmul/packed-matmul-kernel.ts"
export { loadPackedMatMul, PackedMatMulError, type PackedMatMulModule, type PackedWeight } from "./kernels/packed-matmul/packed-matmul-module.ts"

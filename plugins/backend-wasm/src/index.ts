// tfjs's WebAssembly backend (XNNPACK kernels, SIMD when the runtime has it). Its Emscripten
// loader looks for the .wasm binaries next to the script; we point it at the installed
// package's dist/ folder explicitly, so Node reads them from disk and never fetches a URL.
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"
import * as tf from "@tensorflow/tfjs"
import type { BackendPlugin } from "@peftlab/core"
import { untransposedBatchMatMul } from "./kernels/batch-mat-mul.ts"
import { unsortedSegmentSumConfig } from "./kernels/unsorted-segment-sum.ts"

// Node has no cross-origin isolation for the threaded build, so it loads one of these two.
const binaries = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"] as const

/** dist/ of the installed @tensorflow/tfjs-backend-wasm: its Node entry point and binaries live there. */
export const installedWasmDir = (): string =>
  dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))

const missingBinary = (wasmDir: string): string | undefined =>
  binaries.map((name) => join(wasmDir, name)).find((path) => !existsSync(path))

// Set up once per process, whichever plugin object sets the backend up first.
let patched = false

/** Kernels tfjs-backend-wasm lacks, and BatchMatMul made fast for transposed operands. */
const patchKernels = () => {
  if (patched) return
  patched = true
  tf.registerKernel(unsortedSegmentSumConfig)
  const original = tf.getKernel("BatchMatMul", "wasm")
  const transpose = tf.getKernel("Transpose", "wasm")
  if (!original || !transpose) throw new Error("tfjs-backend-wasm registered no BatchMatMul or Transpose kernel")
  tf.unregisterKernel("BatchMatMul", "wasm")
  tf.registerKernel(untransposedBatchMatMul(original, transpose))
}

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
      patchKernels()
      await tf.ready()
    },
  }
}

export const plugin: BackendPlugin = makeWasmPlugin()

// Finds and loads the addon for this platform, and types what it exports (c/addon.c): a node-gyp
// build of this package's C (build/Release/native_gemm.node, made by `npm run build:native`, as CI
// does) when there is one, else the prebuilt shipped in the package (prebuilds/<platform>-<arch>/
// native-gemm.node), so no compiler or download is needed. Loading never throws: a missing binary
// or a failed load is a reason string.
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type { AttentionAddon } from "./attention.ts"

export const kernelNames = ["avx512", "avx2", "sse2"] as const
export type KernelName = (typeof kernelNames)[number]

/** A kernel variant: its register tile (mr x nr) and cache blocks (kc deep, mc rows, nc columns). */
export interface KernelVariant {
  readonly name: KernelName
  readonly mr: number
  readonly nr: number
  readonly kc: number
  readonly mc: number
  readonly nc: number
}

/** How a frozen weight is kept: bf16 bits, or NF4 codes with per-block absmax (as @peftlab/models stores them). */
export const packedStorages = ["BF16", "NF4"] as const
export type PackedStorage = (typeof packedStorages)[number]

/** The addon's exports; every call names the kernel variant to run and the most threads it may run on. */
export interface NativeGemmAddon extends AttentionAddon {
  /** The variants this CPU runs, fastest first. */
  kernels(): Array<KernelVariant>
  /** The most threads one call may run on. */
  readonly maxThreads: number
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, kernel: KernelName, threads: number): void
  batchedGemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, kernel: KernelName, threads: number): void
  packedGemm(x: Float32Array, weight: Uint8Array, absmax: Float32Array | null, bias: Float32Array | null, c: Float32Array, m: number, n: number, k: number, storage: PackedStorage, blockSize: number, transposeWeight: boolean, kernel: KernelName, threads: number): void
}

/** Where this platform's prebuilt would be (relative to src/ or dist/, both one level below the package). */
export const prebuiltPath = (platform: string = process.platform, arch: string = process.arch): string =>
  fileURLToPath(new URL(`../prebuilds/${platform}-${arch}/native-gemm.node`, import.meta.url))

/** Where `npm run build:native` leaves its node-gyp build (binding.gyp's target). */
export const builtPath: string = fileURLToPath(new URL("../build/Release/native_gemm.node", import.meta.url))

/** The binary to load: the node-gyp build when it exists, else this platform's prebuilt. */
export const addonPath = (): string => (existsSync(builtPath) ? builtPath : prebuiltPath())

export type AddonLoad = { readonly addon: NativeGemmAddon; readonly path: string } | { readonly addon: undefined; readonly reason: string }

export const loadAddon = (path: string = addonPath()): AddonLoad => {
  if (!existsSync(path)) return { addon: undefined, reason: `no prebuilt native GEMM for ${process.platform}-${process.arch} (looked for ${path})` }
  try {
    return { addon: createRequire(import.meta.url)(path) as NativeGemmAddon, path }
  } catch (error) {
    return { addon: undefined, reason: `cannot load ${path}: ${error instanceof Error ? error.message : String(error)}` }
  }
}

// @peftlab/native-gemm: a float32 GEMM in a prebuilt N-API addon (C, AVX-512 / AVX2+FMA / SSE2
// chosen at run time), several times faster per thread than WebAssembly SIMD128 can be on these
// cores; an optional companion to @peftlab/backend-wasm. `loadNativeGemm()` returns the GEMM, or
// `gemm: undefined` and the reason (no prebuilt for this platform, a load failure, a kernel the
// CPU lacks), and never throws. Single-threaded and synchronous; each worker thread that loads it
// gets its own instance.
import { kernelNames, loadAddon, type KernelName, type KernelVariant, type PackedStorage } from "./addon.ts"

export { kernelNames, packedStorages, prebuiltPath, type KernelName, type KernelVariant, type PackedStorage } from "./addon.ts"

/** Names a kernel variant to use instead of the fastest one the CPU runs (tests force the fallbacks with it). */
export const kernelVariable = "PEFTLAB_NATIVE_GEMM_KERNEL"

export interface NativeGemmInfo {
  /** The variant every call runs, with its blocking. */
  readonly kernel: KernelVariant
  /** Whether it was asked for (option or PEFTLAB_NATIVE_GEMM_KERNEL) rather than picked as the fastest. */
  readonly forced: boolean
  /** The variants this CPU runs, fastest first. */
  readonly supported: ReadonlyArray<KernelName>
  /** The loaded prebuilt. */
  readonly path: string
}

/**
 * Operands are Float32Arrays over any ArrayBuffer (a WebAssembly.Memory's buffer included), read
 * and written in place. A is stored [m, k] ([k, m] when transposeA), B [k, n] ([n, k] when
 * transposeB), C [m, n], all row-major; C must not overlap A or B. Wrong lengths or arguments
 * throw TypeError/RangeError (code ERR_PEFTLAB_NATIVE_GEMM) before anything is written.
 */
export interface NativeGemm {
  /** C = op(A) · op(B). */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void
  /** `batch` products back to back; A (or B) holding a single matrix multiplies it into every product. */
  batchedGemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void
  /**
   * C [m, n] = x [m, k] · Wᵀ (transposeWeight, W [n, k]: nn.Linear's forward) or x · W (W [k, n]:
   * its input gradient), plus `bias` [n] on every row, with W a frozen weight that stays packed:
   * `weight` holds its bf16 values (two bytes each, little-endian) or its NF4 codes (two per byte,
   * the even element in the high nibble) with `absmax` one float32 scale per `blockSize` elements
   * of the flattened W (bitsandbytes' layout; null and 0 for bf16). Each panel of W is widened
   * while the GEMM packs it, so W is never held whole as float32.
   */
  packedGemm(x: Float32Array, weight: Uint8Array, absmax: Float32Array | null, bias: Float32Array | null, c: Float32Array, m: number, n: number, k: number, storage: PackedStorage, blockSize: number, transposeWeight: boolean): void
  info(): NativeGemmInfo
}

export type NativeGemmLoad = { readonly gemm: NativeGemm } | { readonly gemm: undefined; readonly reason: string }

const isKernelName = (name: string): name is KernelName => (kernelNames as ReadonlyArray<string>).includes(name)

/** The GEMM on `options.kernel`, else on PEFTLAB_NATIVE_GEMM_KERNEL's variant, else on the fastest the CPU runs. */
export const loadNativeGemm = (options: { readonly kernel?: KernelName } = {}): NativeGemmLoad => {
  const loaded = loadAddon()
  if (loaded.addon === undefined) return { gemm: undefined, reason: loaded.reason }
  const { addon, path } = loaded
  const variants = addon.kernels()
  const requested = options.kernel ?? process.env[kernelVariable]
  if (requested !== undefined && !isKernelName(requested)) return { gemm: undefined, reason: `${kernelVariable}=${requested}: expected one of ${kernelNames.join(", ")}` }
  const kernel = variants.find((variant) => variant.name === (requested ?? variants[0]?.name))
  if (kernel === undefined) return { gemm: undefined, reason: `this CPU cannot run the ${requested} kernel (it runs ${variants.map((v) => v.name).join(", ")})` }
  const info: NativeGemmInfo = { kernel, forced: requested !== undefined, supported: variants.map((v) => v.name), path }
  return {
    gemm: {
      gemm: (a, b, c, m, n, k, transposeA, transposeB) => addon.gemm(a, b, c, m, n, k, transposeA, transposeB, kernel.name),
      batchedGemm: (a, b, c, batch, m, n, k, transposeA, transposeB) => addon.batchedGemm(a, b, c, batch, m, n, k, transposeA, transposeB, kernel.name),
      packedGemm: (x, weight, absmax, bias, c, m, n, k, storage, blockSize, transposeWeight) =>
        addon.packedGemm(x, weight, absmax, bias, c, m, n, k, storage, blockSize, transposeWeight, kernel.name),
      info: () => info,
    },
  }
}

// @peftlab/native-gemm: a float32 GEMM in a prebuilt N-API addon (C, AVX-512 / AVX2+FMA / SSE2
// chosen at run time), several times faster per thread than WebAssembly SIMD128 can be on these
// cores; an optional companion to @peftlab/backend-wasm. `loadNativeGemm()` returns the GEMM, or
// `gemm: undefined` and the reason (no prebuilt for this platform, a load failure, a kernel the
// CPU lacks, a bad thread count), and never throws. Synchronous; a large product is split across
// the addon's own threads (as many as asked for: by default every core this process may use),
// with the single thread's results bit for bit. Each worker thread that loads it gets its own
// instance and threads.
import { availableParallelism } from "node:os"
import { kernelNames, loadAddon, type KernelName, type KernelVariant, type PackedStorage } from "./addon.ts"
import { nativeAttention, type NativeAttention } from "./attention.ts"

export { builtPath, kernelNames, packedStorages, prebuiltPath, type KernelName, type KernelVariant, type PackedStorage } from "./addon.ts"
export type { AttentionSizes, NativeAttention } from "./attention.ts"

/** Names a kernel variant to use instead of the fastest one the CPU runs (tests force the fallbacks with it). */
export const kernelVariable = "PEFTLAB_NATIVE_GEMM_KERNEL"

/** The most threads each call runs on, over what the program asked for (`loadNativeGemm({ threads })`). */
export const threadsVariable = "PEFTLAB_NATIVE_THREADS"

export interface NativeGemmInfo {
  /** The variant every call runs, with its blocking. */
  readonly kernel: KernelVariant
  /** Whether it was asked for (option or PEFTLAB_NATIVE_GEMM_KERNEL) rather than picked as the fastest. */
  readonly forced: boolean
  /** The variants this CPU runs, fastest first. */
  readonly supported: ReadonlyArray<KernelName>
  /** The loaded binary: the node-gyp build (build/Release) or the prebuilt. */
  readonly path: string
  /** The most threads a call runs on (a small product runs on one). */
  readonly threads: number
}

/**
 * Operands are Float32Arrays over any ArrayBuffer (a WebAssembly.Memory's buffer included), read
 * and written in place. A is stored [m, k] ([k, m] when transposeA), B [k, n] ([n, k] when
 * transposeB), C [m, n], all row-major; C must not overlap A or B. Wrong lengths or arguments
 * throw TypeError/RangeError (code ERR_PEFTLAB_NATIVE_GEMM) before anything is written. Fused
 * attention (NativeAttention, ./attention.ts) runs on the same kernel variant.
 */
export interface NativeGemm extends NativeAttention {
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
  /**
   * Sets the most threads each later call runs on: an integer from 1 to the addon's limit (256),
   * else a RangeError. Results do not depend on it, bit for bit.
   */
  setThreads(threads: number): void
  info(): NativeGemmInfo
}

export type NativeGemmLoad = { readonly gemm: NativeGemm } | { readonly gemm: undefined; readonly reason: string }

export interface NativeGemmOptions {
  /** The variant to run instead of the fastest (over PEFTLAB_NATIVE_GEMM_KERNEL). */
  readonly kernel?: KernelName
  /**
   * The most threads each call runs on, unless PEFTLAB_NATIVE_THREADS says otherwise (the
   * variable wins, so a user can pin the count a program picks); default every core this process
   * may use (os.availableParallelism()).
   */
  readonly threads?: number
}

const isKernelName = (name: string): name is KernelName => (kernelNames as ReadonlyArray<string>).includes(name)

const isThreadCount = (threads: number, max: number) => Number.isSafeInteger(threads) && threads >= 1 && threads <= max
const threadCountExpected = (max: number) => `expected an integer from 1 to ${max}`

/** The thread count asked for (PEFTLAB_NATIVE_THREADS, else the option, else every core), or why it cannot be used. */
const threadCount = (option: number | undefined, max: number): { threads: number } | { reason: string } => {
  const written = process.env[threadsVariable]
  if (written !== undefined) {
    const threads = /^\d+$/.test(written) ? Number(written) : Number.NaN
    return isThreadCount(threads, max) ? { threads } : { reason: `${threadsVariable}=${written}: ${threadCountExpected(max)}` }
  }
  if (option === undefined) return { threads: Math.min(availableParallelism(), max) }
  return isThreadCount(option, max) ? { threads: option } : { reason: `threads: ${threadCountExpected(max)}, got ${option}` }
}

/** The GEMM on `options.kernel`, else on PEFTLAB_NATIVE_GEMM_KERNEL's variant, else on the fastest the CPU runs; on threads as `options.threads` says. */
export const loadNativeGemm = (options: NativeGemmOptions = {}): NativeGemmLoad => {
  const loaded = loadAddon()
  if (loaded.addon === undefined) return { gemm: undefined, reason: loaded.reason }
  const { addon, path } = loaded
  const variants = addon.kernels()
  const requested = options.kernel ?? process.env[kernelVariable]
  if (requested !== undefined && !isKernelName(requested)) return { gemm: undefined, reason: `${kernelVariable}=${requested}: expected one of ${kernelNames.join(", ")}` }
  const kernel = variants.find((variant) => variant.name === (requested ?? variants[0]?.name))
  if (kernel === undefined) return { gemm: undefined, reason: `this CPU cannot run the ${requested} kernel (it runs ${variants.map((v) => v.name).join(", ")})` }
  const count = threadCount(options.threads, addon.maxThreads)
  if ("reason" in count) return { gemm: undefined, reason: count.reason }
  let { threads } = count
  const info = { kernel, forced: requested !== undefined, supported: variants.map((v) => v.name), path }
  return {
    gemm: {
      gemm: (a, b, c, m, n, k, transposeA, transposeB) => addon.gemm(a, b, c, m, n, k, transposeA, transposeB, kernel.name, threads),
      batchedGemm: (a, b, c, batch, m, n, k, transposeA, transposeB) => addon.batchedGemm(a, b, c, batch, m, n, k, transposeA, transposeB, kernel.name, threads),
      packedGemm: (x, weight, absmax, bias, c, m, n, k, storage, blockSize, transposeWeight) =>
        addon.packedGemm(x, weight, absmax, bias, c, m, n, k, storage, blockSize, transposeWeight, kernel.name, threads),
      setThreads: (next) => {
        if (!isThreadCount(next, addon.maxThreads)) throw new RangeError(`threads: ${threadCountExpected(addon.maxThreads)}, got ${next}`)
        threads = next
      },
      info: () => ({ ...info, threads }),
      ...nativeAttention(addon, kernel.name),
    },
  }
}

// The compiled float32 GEMM (c/gemm.c, built to gemm.wasm beside this file and shipped in the
// package): instantiated once, and called with a batch of products whose operands are copied into
// its own memory, which grows to fit the largest call.
import { align16, growTo, instantiateKernelModule, maxModuleBytes, type KernelModuleExports } from "../wasm-module.ts"

interface Exports extends KernelModuleExports {
  gemm_scratch_floats(): number
  gemm(transposeA: number, transposeB: number, m: number, n: number, k: number, a: number, b: number, c: number, scratch: number): void
}

/** Products of one shape: C_p [m, n] = op(A_{pairs[p][0]}) · op(B_{pairs[p][1]}), for each p. */
export interface GemmBatch {
  /** Matrices stored [m, k] each ([k, m] when transposeA), back to back (a view of another memory: it is copied in). */
  readonly a: Float32Array
  /** Matrices stored [k, n] each ([n, k] when transposeB), back to back. */
  readonly b: Float32Array
  readonly transposeA: boolean
  readonly transposeB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
  /** Which matrix of `a` and of `b` each product multiplies (a broadcast batch repeats some). */
  readonly pairs: ReadonlyArray<readonly [number, number]>
}

/** A product the module cannot compute: operands that do not hold the matrices named, or memory past wasm32's 4 GB. */
export class GemmError extends Error {
  override readonly name = "GemmError"
}

export interface GemmModule {
  /** The products [pairs.length, m, n], as a view of the module's memory valid until the next call: copy it out. */
  run(batch: GemmBatch): Float32Array
}

/** gemm.wasm, shipped beside this file. */
export const gemmWasmUrl = new URL("./gemm.wasm", import.meta.url)

const checkOperands = ({ a, b, m, n, k, pairs }: GemmBatch): void => {
  const [aMatrices, bMatrices] = [a.length / (m * k), b.length / (k * n)]
  const outside = pairs.find(([i, j]) => !(i < aMatrices && j < bMatrices))
  if (outside) throw new GemmError(`product of a[${outside[0]}] and b[${outside[1]}]: a holds ${a.length} values ([${m}, ${k}] matrices), b ${b.length} ([${k}, ${n}] matrices)`)
}

/** Instantiates the module from `source` (gemm.wasm by default). */
export const loadGemm = async (source: URL | string = gemmWasmUrl): Promise<GemmModule> => {
  const exports = await instantiateKernelModule<Exports>(source)
  const scratchAt = align16(exports.__heap_base.value)
  const aAt = align16(scratchAt + exports.gemm_scratch_floats() * 4)
  return {
    run: (batch) => {
      checkOperands(batch)
      const { a, b, transposeA, transposeB, m, n, k, pairs } = batch
      // Layout: scratch | a | b | products.
      const bAt = align16(aAt + a.byteLength)
      const cAt = align16(bAt + b.byteLength)
      const end = cAt + pairs.length * m * n * 4
      if (end > maxModuleBytes) throw new GemmError(`${pairs.length} products [${m}, ${k}] · [${k}, ${n}] need ${end} bytes, past wasm32's 4 GB`)
      growTo(exports.memory, end)
      new Float32Array(exports.memory.buffer, aAt, a.length).set(a)
      new Float32Array(exports.memory.buffer, bAt, b.length).set(b)
      pairs.forEach(([i, j], p) =>
        exports.gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, aAt + i * m * k * 4, bAt + j * k * n * 4, cAt + p * m * n * 4, scratchAt),
      )
      return new Float32Array(exports.memory.buffer, cAt, pairs.length * m * n)
    },
  }
}

// The compiled packed-weight matmul (c/packed-matmul.c, built to packed-matmul.wasm beside this
// file and shipped in the package): instantiated once, and called with x, the packed weight and
// the bias copied into its own memory, which grows to fit the largest call.
import { align16 as align, growTo, instantiateKernelModule, maxModuleBytes as maxBytes, type KernelModuleExports } from "../wasm-module.ts"

/** A frozen weight [rows, cols] as NF4 codes with per-block absmax, or as bf16 bits. */
export type PackedWeight =
  | { readonly storage: "NF4"; readonly shape: readonly [number, number]; readonly quantized: { readonly codes: Uint8Array; readonly absmax: Float32Array; readonly length: number; readonly blockSize: number } }
  | { readonly storage: "BF16"; readonly shape: readonly [number, number]; readonly bytes: Uint8Array }

/** A product the module cannot compute: a weight it does not take, or memory past wasm32's 4 GB. */
export class PackedMatMulError extends Error {
  override readonly name = "PackedMatMulError"
}

interface Exports extends KernelModuleExports {
  packed_matmul_scratch_floats(): number
  packed_matmul(
    format: number,
    bytes: number,
    absmax: number,
    blockSize: number,
    rows: number,
    cols: number,
    transposeW: number,
    a: number,
    m: number,
    bias: number,
    c: number,
    scratch: number,
  ): number
}

export interface Product {
  readonly weight: PackedWeight
  /** true: x · Wᵀ (x [m, cols]); false: x · W (x [m, rows]). */
  readonly transposeWeight: boolean
  /** x [m, depth], row-major (a view of another memory: it is copied in). */
  readonly x: Float32Array
  readonly m: number
  /** [n], added to every row of the product. */
  readonly bias?: Float32Array
}

export interface PackedMatMulModule {
  /** The product [m, n], as a view of the module's memory valid until the next call: copy it out. */
  run(product: Product): Float32Array
}

/** packed-matmul.wasm, shipped beside this file. */
export const packedMatMulWasmUrl = new URL("./packed-matmul.wasm", import.meta.url)

const weightBytes = (weight: PackedWeight): Uint8Array => (weight.storage === "NF4" ? weight.quantized.codes : weight.bytes)

/** Checks that the packed data covers the weight's shape; returns the product's output width and depth. */
const dimensions = (weight: PackedWeight, transposeWeight: boolean): { n: number; depth: number } => {
  const [rows, cols] = weight.shape
  const size = rows * cols
  if (weight.storage === "NF4") {
    const { codes, absmax, length, blockSize } = weight.quantized
    if (length !== size || codes.byteLength < Math.ceil(size / 2) || !(Number.isInteger(blockSize) && blockSize > 0) || absmax.length < Math.ceil(size / blockSize)) {
      throw new PackedMatMulError(`NF4 weight [${rows}, ${cols}]: ${length} values, ${codes.byteLength} code bytes and ${absmax.length} scales of blocks of ${blockSize} do not describe it`)
    }
  } else if (weight.storage === "BF16") {
    if (weight.bytes.byteLength !== size * 2) throw new PackedMatMulError(`bf16 weight [${rows}, ${cols}] needs ${size * 2} bytes, got ${weight.bytes.byteLength}`)
  } else {
    throw new PackedMatMulError(`packed matmul takes NF4 or BF16 weights, got ${(weight as { storage: unknown }).storage}`)
  }
  return transposeWeight ? { n: rows, depth: cols } : { n: cols, depth: rows }
}

/** Instantiates the module from `source` (packed-matmul.wasm by default). */
export const loadPackedMatMul = async (source: URL | string = packedMatMulWasmUrl): Promise<PackedMatMulModule> => {
  const exports = await instantiateKernelModule<Exports>(source)
  const base = align(exports.__heap_base.value)
  const scratchBytes = exports.packed_matmul_scratch_floats() * 4
  return {
    run: ({ weight, transposeWeight, x, m, bias }) => {
      const { n, depth } = dimensions(weight, transposeWeight)
      if (x.length !== m * depth) throw new PackedMatMulError(`x has ${x.length} values, not ${m} rows of ${depth}`)
      if (bias && bias.length !== n) throw new PackedMatMulError(`bias has ${bias.length} values, not ${n}`)
      const packed = weightBytes(weight)
      // Layout: scratch | weight bytes | absmax | bias | x | product.
      const bytesAt = base + scratchBytes
      const absmaxAt = align(bytesAt + packed.byteLength)
      const absmax = weight.storage === "NF4" ? weight.quantized.absmax : undefined
      const biasAt = align(absmaxAt + (absmax?.byteLength ?? 0))
      const xAt = align(biasAt + (bias?.byteLength ?? 0))
      const outAt = align(xAt + x.byteLength)
      const end = outAt + m * n * 4
      if (end > maxBytes) throw new PackedMatMulError(`a [${m}, ${depth}] by [${weight.shape}] product needs ${end} bytes, past wasm32's 4 GB`)
      const { memory } = exports
      growTo(memory, end)
      const heap = new Uint8Array(memory.buffer)
      heap.set(packed, bytesAt)
      if (absmax) new Float32Array(memory.buffer, absmaxAt, absmax.length).set(absmax)
      if (bias) new Float32Array(memory.buffer, biasAt, bias.length).set(bias)
      new Float32Array(memory.buffer, xAt, x.length).set(x)
      const [rows, cols] = weight.shape
      const status = exports.packed_matmul(
        weight.storage === "NF4" ? 0 : 1,
        bytesAt,
        absmaxAt,
        weight.storage === "NF4" ? weight.quantized.blockSize : 0,
        rows,
        cols,
        transposeWeight ? 1 : 0,
        xAt,
        m,
        bias ? biasAt : 0,
        outAt,
        base,
      )
      if (status !== 0) throw new PackedMatMulError(`packed_matmul refused its arguments (status ${status})`)
      return new Float32Array(memory.buffer, outAt, m * n)
    },
  }
}

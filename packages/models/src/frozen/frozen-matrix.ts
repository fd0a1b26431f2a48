// A frozen weight matrix kept in host memory in the precision it is stored in (bf16, f16 or
// f32 as the checkpoint has it, or NF4 codes), instead of as a float32 tensor: a 1.1B base in
// bf16 costs 2.2 GB rather than 4.4 GB, and none of it sits in wasm's 4 GB heap. The forward
// pass widens one matrix at a time to float32 when it uses it and frees it after (see
// layers/frozen-linear.ts), so the backend holds one widened layer weight at a time.
import type { Nf4Weights } from "../quantization/nf4.ts"
import type { SafetensorsDtype } from "../safetensors/dtype.ts"

export type FrozenStorage = "F32" | "F16" | "BF16" | "NF4"

/** A frozen matrix's host memory, which another thread builds the same matrix over (see shared-matrix.ts). */
export type SharedMatrix =
  | { readonly storage: SafetensorsDtype; readonly shape: readonly [number, number]; readonly bytes: Uint8Array }
  | { readonly storage: "NF4"; readonly shape: readonly [number, number]; readonly quantized: Nf4Weights }

export interface FrozenMatrix {
  /** Tells a frozen matrix from a tf.Tensor in a model's parameters. */
  readonly kind: "frozen-matrix"
  /** [rows, columns] as the checkpoint stores it (nn.Linear: [out, in]). */
  readonly shape: readonly [number, number]
  /** rows * columns. */
  readonly size: number
  readonly storage: FrozenStorage
  /** Host bytes held. */
  readonly bytes: number
  /** What another thread builds the same matrix from, over the same memory (see shared-matrix.ts). */
  readonly share: SharedMatrix
  /** Rows [start, start + count) as float32, row-major, written into `out` from `offset`. */
  readRows(start: number, count: number, out: Float32Array, offset?: number): void
}

export const isFrozenMatrix = (value: unknown): value is FrozenMatrix =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "frozen-matrix"

// Rows widened per step of a transposed read: a 64-row band of a 5632-wide matrix is 1.4 MB,
// small enough to stay in cache while it is scattered into columns.
const bandRows = 64

/** The whole matrix as float32 [rows, columns], row-major. */
export const widen = <T extends Float32Array>(matrix: FrozenMatrix, out: T = new Float32Array(matrix.size) as T): T => {
  matrix.readRows(0, matrix.shape[0], out)
  return out
}

/** The matrix transposed, as float32 [columns, rows], row-major (nn.Linear's Wᵀ, the layout matmuls run on). */
export const widenTransposed = <T extends Float32Array>(matrix: FrozenMatrix, out: T = new Float32Array(matrix.size) as T): T => {
  const [rows, columns] = matrix.shape
  const band = new Float32Array(Math.min(bandRows, rows) * columns)
  for (let start = 0; start < rows; start += bandRows) {
    const count = Math.min(bandRows, rows - start)
    matrix.readRows(start, count, band)
    // Column by column: each column's `count` values land side by side in `out`.
    for (let c = 0; c < columns; c++) {
      const to = c * rows + start
      for (let r = 0; r < count; r++) out[to + r] = band[r * columns + c] as number
    }
  }
  return out
}

/** Rows `ids` as float32 [ids.length, columns] (an embedding lookup); an id outside the matrix is a RangeError naming it. */
export const gatherRows = (matrix: FrozenMatrix, ids: ArrayLike<number>): Float32Array => {
  const [rows, columns] = matrix.shape
  const out = new Float32Array(ids.length * columns)
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number
    if (!Number.isInteger(id) || id < 0 || id >= rows) throw new RangeError(`token id ${id} is outside the embedding table's ${rows} rows`)
    matrix.readRows(id, 1, out, i * columns)
  }
  return out
}

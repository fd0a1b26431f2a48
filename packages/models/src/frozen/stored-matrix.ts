// A frozen matrix over a checkpoint tensor's own bytes (F32, F16 or BF16, little-endian),
// decoded to float32 row by row when read: bf16 by a shift into a float32's top half, f16
// through a 65,536-entry table.
import { halfToFloatTable } from "../safetensors/dtype.ts"
import type { SafetensorsDtype } from "../safetensors/dtype.ts"
import type { FrozenMatrix } from "./frozen-matrix.ts"

/** `bytes` must be an aligned buffer of rows * columns elements of `dtype` (a fresh read is). */
export const storedMatrix = (dtype: SafetensorsDtype, shape: readonly [number, number], bytes: Uint8Array): FrozenMatrix => {
  const [rows, columns] = shape
  const size = rows * columns
  const elementBytes = dtype === "F32" ? 4 : 2
  if (bytes.byteLength !== size * elementBytes) throw new RangeError(`a ${dtype} [${rows}, ${columns}] matrix takes ${size * elementBytes} bytes, got ${bytes.byteLength}`)
  const common = { kind: "frozen-matrix", shape, size, storage: dtype, bytes: bytes.byteLength, share: { storage: dtype, shape, bytes } } as const
  if (dtype === "F32") {
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, size)
    return { ...common, readRows: (start, count, out, offset = 0) => out.set(values.subarray(start * columns, (start + count) * columns), offset) }
  }
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, size)
  if (dtype === "F16") {
    const table = halfToFloatTable()
    return {
      ...common,
      readRows: (start, count, out, offset = 0) => {
        const from = start * columns
        const n = count * columns
        for (let i = 0; i < n; i++) out[offset + i] = table[halves[from + i] as number] as number
      },
    }
  }
  return {
    ...common,
    readRows: (start, count, out, offset = 0) => {
      // bfloat16 is the top half of a float32: write its bits shifted into place.
      const words = new Uint32Array(out.buffer, out.byteOffset + offset * 4, count * columns)
      const from = start * columns
      for (let i = 0; i < words.length; i++) words[i] = (halves[from + i] as number) << 16
    },
  }
}

// Element types: every one the safetensors format defines (a real checkpoint may hold an I64
// position buffer or F8 scales beside its weights), and the three peftlab reads as values,
// with their decoding to float32. Training runs in float32, so half precision checkpoints are
// widened at load time.

/** The dtypes peftlab reads; a model tensor stored in any other is refused by name. */
export const dtypes = ["F32", "F16", "BF16"] as const
export type SafetensorsDtype = (typeof dtypes)[number]

/** Every dtype of the safetensors format (safetensors' `Dtype` enum). */
export const storedDtypes = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"] as const
export type StoredDtype = (typeof storedDtypes)[number]

export const storedDtypeBytes: Record<StoredDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
}

export const isReadableDtype = (dtype: StoredDtype): dtype is SafetensorsDtype => (dtypes as ReadonlyArray<string>).includes(dtype)


/** IEEE 754 binary16 bits to its value: sign, 5-bit exponent (bias 15), 10-bit mantissa. */
export const halfToFloat = (bits: number): number => {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

// All 65,536 half values, built on first use: decoding then is one lookup per element.
let halfTable: Float32Array | undefined
export const halfToFloatTable = (): Float32Array => {
  halfTable ??= Float32Array.from({ length: 0x10000 }, (_, bits) => halfToFloat(bits))
  return halfTable
}

/** Little-endian tensor bytes to float32 values (typed arrays use host order: little-endian on x86 and arm). */
export const decodeToFloat32 = (dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array => {
  // Copy into a fresh buffer first: the source may not be aligned for typed-array views.
  // (Not bytes.slice(): on a Node Buffer that is a view, not a copy.)
  const aligned = new Uint8Array(bytes).buffer
  if (dtype === "F32") return new Float32Array(aligned)
  const halves = new Uint16Array(aligned)
  if (dtype === "F16") {
    const table = halfToFloatTable()
    return Float32Array.from(halves, (bits) => table[bits] as number)
  }
  // bfloat16 is the top half of a float32: shift its bits back into place.
  const words = new Uint32Array(halves.length)
  for (let i = 0; i < halves.length; i++) words[i] = (halves[i] as number) << 16
  return new Float32Array(words.buffer)
}

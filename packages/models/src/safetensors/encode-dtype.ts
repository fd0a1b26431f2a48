// Float32 values to the bytes of a stored element type: checkpoints are written in bf16 or
// f16 as the hub ships them, rounded exactly as torch's `.to(dtype)` rounds (to nearest,
// ties to even). The inverse of dtype.ts's decodeToFloat32; little-endian, like it, because
// typed arrays use host order and every host we run on is little-endian.
import type { SafetensorsDtype } from "./dtype.ts"

/** bfloat16 bits of the float32 with bits `u`: c10's round_to_nearest_even, NaN to 0x7FC0 as torch does. */
export const bfloat16FromFloat32Bits = (u: number): number => {
  if ((u & 0x7fffffff) > 0x7f800000) return 0x7fc0
  return ((u >>> 0) + (((u >>> 16) & 1) + 0x7fff)) >>> 16
}

/**
 * IEEE binary16 bits of the float32 with bits `u`: round to nearest even, overflow to ±Inf,
 * gradual underflow to subnormals, NaN to a quiet NaN of the same sign (0x7E00, as torch).
 */
export const halfFromFloat32Bits = (u: number): number => {
  const sign = (u >>> 16) & 0x8000
  const exponent = (u >>> 23) & 0xff
  const mantissa = u & 0x7fffff
  if (exponent === 0xff) return sign | (mantissa === 0 ? 0x7c00 : 0x7e00)
  if (exponent > 142) return sign | 0x7c00 // |x| >= 2^16: past the largest half even after rounding
  // Normal half: keep the top 10 mantissa bits, round by the 13 dropped. A carry out of the
  // mantissa bumps the exponent (and past 65504 makes 0x7C00, infinity), as it should.
  if (exponent >= 113) return sign | roundKept(((exponent - 112) << 10) | (mantissa >>> 13), mantissa & 0x1fff, 13)
  // Subnormal half: the value in units of 2^-24 is the full significand shifted right.
  const shift = 126 - exponent
  if (shift > 24) return sign // below 2^-25: rounds to zero
  const significand = mantissa | 0x800000
  return sign | roundKept(significand >>> shift, significand & ((1 << shift) - 1), shift)
}

/** `kept` rounded up by its `shift`-bit remainder: above half, or exactly half and `kept` odd. */
const roundKept = (kept: number, remainder: number, shift: number): number => {
  const half = 1 << (shift - 1)
  return remainder > half || (remainder === half && (kept & 1) === 1) ? kept + 1 : kept
}

/** `values` stored as `dtype`, little-endian. F32 is a view of `values`' own bytes, not a copy. */
export const encodeFromFloat32 = (dtype: SafetensorsDtype, values: Float32Array): Uint8Array => {
  if (dtype === "F32") return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length)
  const out = new Uint16Array(values.length)
  const convert = dtype === "BF16" ? bfloat16FromFloat32Bits : halfFromFloat32Bits
  for (let i = 0; i < bits.length; i++) out[i] = convert(bits[i] as number)
  return new Uint8Array(out.buffer)
}

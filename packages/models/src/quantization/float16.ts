// IEEE half-precision rounding of a number, for reproducing bitsandbytes' LLM.int8() arithmetic,
// which casts weights and activations to torch.float16 before quantizing them. Node 22 has no
// Math.f16round, so this rounds by hand: to nearest, ties to even, subnormals and overflow as fp16.

const bits = new Float32Array(1)
const bitsAsInt = new Uint32Array(bits.buffer)

/** The nearest integer to `x`, a tie going to the even one (torch.round, IEEE roundTiesToEven). */
export const roundHalfEven = (x: number): number => {
  const nearest = Math.round(x)
  // Math.round sends ties up; an odd result of a tie goes down instead.
  return nearest - x === 0.5 && nearest % 2 !== 0 ? nearest - 1 : nearest
}

// fp16's largest finite value is 65504; from 65520 (halfway to 2^16) up, a value rounds to infinity.
const overflowFrom = 65520
const smallestNormal = 2 ** -14

/** `x` rounded to the nearest float16 value (as torch's float32 -> float16 cast), returned as a number. */
export const roundToFloat16 = (x: number): number => {
  const magnitude = Math.abs(x)
  if (!Number.isFinite(magnitude) || magnitude === 0) return x
  if (magnitude >= overflowFrom) return Math.sign(x) * Infinity
  bits[0] = magnitude
  const exponent = magnitude < smallestNormal ? -14 : ((bitsAsInt[0]! >>> 23) & 0xff) - 127
  // 10 fraction bits below the leading one: the spacing of float16 values at this exponent.
  const spacing = 2 ** (exponent - 10)
  return Math.sign(x) * roundHalfEven(magnitude / spacing) * spacing
}

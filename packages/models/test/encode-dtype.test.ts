// float32 -> bf16 / f16 rounding checked against an independent reference: the nearest value in
// a table of every finite value of the format (decoded by dtype.ts), found in float64 with ties
// to the even encoding. Covered: every tie and its float32 neighbours, edge values (max,
// overflow, subnormals, ±0, ±Inf, NaN) and random bit patterns.
import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { decodeToFloat32 } from "../src/safetensors/dtype.ts"
import { bfloat16FromFloat32Bits, encodeFromFloat32, halfFromFloat32Bits } from "../src/safetensors/encode-dtype.ts"

type Format = "BF16" | "F16"

/** Every non-negative finite value of the format by its bits, then the first value past the largest (2^128 / 2^16), standing in for +Inf. */
const positiveValues = (format: Format): Float64Array => {
  const inf = format === "BF16" ? 0x7f80 : 0x7c00
  const bits = Uint16Array.from({ length: inf }, (_, i) => i)
  const values = Float64Array.from(decodeToFloat32(format, new Uint8Array(bits.buffer)))
  const extended = new Float64Array(inf + 1)
  extended.set(values)
  extended[inf] = format === "BF16" ? 2 ** 128 : 2 ** 16
  return extended
}
const tables: Record<Format, Float64Array> = { BF16: positiveValues("BF16"), F16: positiveValues("F16") }

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)
const bitsOf = (value: number): number => {
  f32[0] = value
  return f32Bits[0] as number
}
const valueOfBits = (bits: number): number => {
  f32Bits[0] = bits
  return f32[0] as number
}

/** The format's bits nearest the float32 with bits `bits`, ties to even, found by search in float64. */
const reference = (format: Format, bits: number): number => {
  const x = valueOfBits(bits)
  const sign = bits >>> 31 ? 0x8000 : 0
  if (Number.isNaN(x)) return format === "BF16" ? 0x7fc0 : sign | 0x7e00 // torch's NaNs
  const a = Math.abs(x)
  const table = tables[format]
  const top = table.length - 1
  if (a >= table[top]!) return sign | top // infinity, or past 2^128 / 2^16
  let lo = 0
  let hi = top // table[lo] <= a < table[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (table[mid]! <= a) lo = mid
    else hi = mid
  }
  const below = a - table[lo]!
  const above = table[hi]! - a
  const nearest = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi
  return sign | nearest
}

/** Every midpoint between neighbouring values (the ties), and the float32s either side of it, of both signs. */
const tieInputs = (format: Format): Array<number> => {
  const table = tables[format]
  const inputs: Array<number> = []
  for (let i = 0; i + 1 < table.length; i++) {
    const midpoint = (table[i]! + table[i + 1]!) / 2
    if (Math.fround(midpoint) !== midpoint) throw new Error(`midpoint ${midpoint} is not a float32`)
    const mid = bitsOf(midpoint)
    for (const b of [mid - 1, mid, mid + 1]) inputs.push(b >>> 0, (b | 0x80000000) >>> 0)
  }
  return inputs
}

const edgeInputs = (): Array<number> => {
  const values = [0, 1, 1.5, 2, 3, 0.1, 1 / 3, 65504, 65519, 65519.99, 65520, 65536, 1e5, 2 ** -14, 2 ** -24, 2 ** -25, 2 ** -25 * 1.5, 2 ** -26, 3 * 2 ** -26]
  const bits = [
    0x00000000, 0x80000000, // ±0
    0x7f800000, 0xff800000, // ±Inf
    0x7fc00000, 0xffc00000, 0x7f800001, 0x7fffffff, 0xff800001, // NaNs, quiet and signalling
    0x7f7fffff, 0xff7fffff, 0x7f7f7fff, 0x7f7f8000, 0x7f7f8001, 0x7f7effff, // near float32 / bf16 max
    0x00000001, 0x80000001, 0x00007fff, 0x00008000, 0x00008001, 0x00018000, 0x007fffff, 0x00800000, // subnormals, min normal
    0x3f808000, 0x3f818000, 0x3f807fff, 0x3f818001, // bf16 ties around 1
  ]
  return [...bits, ...values.flatMap((v) => [v, -v]).map(bitsOf)]
}

const randomInputs = (seed: number, count: number, exponents?: [number, number]): Array<number> => {
  const rng = Rng.seeded(seed)
  return Array.from({ length: count }, () => {
    const u = rng.nextUint32()
    if (!exponents) return u
    const [low, high] = exponents
    const exponent = low + (rng.nextUint32() % (high - low + 1))
    return ((u & 0x807fffff) | (exponent << 23)) >>> 0
  })
}

const checkAll = (format: Format, inputs: ReadonlyArray<number>) => {
  const scalar = format === "BF16" ? bfloat16FromFloat32Bits : halfFromFloat32Bits
  const bits = Uint32Array.from(inputs)
  const encoded = new Uint16Array(encodeFromFloat32(format, new Float32Array(bits.buffer)).slice().buffer)
  const decoded = decodeToFloat32(format, new Uint8Array(encoded.buffer))
  const table = tables[format]
  let wrong = 0
  const failures: Array<string> = []
  for (let i = 0; i < bits.length; i++) {
    const expected = reference(format, bits[i]!)
    const got = encoded[i]!
    // Decoding back gives the nearest representable value (or NaN for NaN).
    const x = valueOfBits(bits[i]!)
    const nearest = (expected & 0x7fff) === table.length - 1 ? Infinity : table[expected & 0x7fff]!
    const decodedOk = Number.isNaN(x) ? Number.isNaN(decoded[i]!) : Object.is(decoded[i], expected & 0x8000 ? -nearest : nearest)
    if (got !== expected || scalar(bits[i]!) !== expected || !decodedOk) {
      wrong++
      if (failures.length < 5) failures.push(`0x${bits[i]!.toString(16)} (${x}): got 0x${got.toString(16)}, expected 0x${expected.toString(16)}`)
    }
  }
  expect(failures).toEqual([])
  expect(wrong).toBe(0)
}

describe.each(["BF16", "F16"] as const)("float32 to %s", (format) => {
  it("rounds every tie to even and its neighbours to the nearest", () => checkAll(format, tieInputs(format)))
  it("handles max, overflow, subnormals, ±0, ±Inf and NaN", () => checkAll(format, edgeInputs()))
  it("rounds random bit patterns to the nearest", () => {
    checkAll(format, randomInputs(1, 200_000))
    checkAll(format, randomInputs(2, 200_000, format === "F16" ? [100, 145] : [0, 254]))
  })
})

describe("known encodings", () => {
  it("matches torch's bits for a few values", () => {
    const bf16 = (x: number) => bfloat16FromFloat32Bits(bitsOf(x))
    const f16 = (x: number) => halfFromFloat32Bits(bitsOf(x))
    expect([1, -2, 0.1, 3.14159, -0, Infinity, NaN, 3.4e38].map(bf16)).toEqual([0x3f80, 0xc000, 0x3dcd, 0x4049, 0x8000, 0x7f80, 0x7fc0, 0x7f80])
    expect([1, -2, 0.1, 65504, 65520, 2 ** -24, 2 ** -25, -0, NaN].map(f16)).toEqual([0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x8000, 0x7e00])
  })
  it("stores F32 as its own bytes", () => {
    const values = Float32Array.of(1, -2.5, NaN)
    expect(Array.from(encodeFromFloat32("F32", values))).toEqual(Array.from(new Uint8Array(values.buffer)))
  })
})

// NF4 quantization against hand-packed bytes and a brute-force nearest-level search.
import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { dequantizeNf4, nf4Bytes, nf4Levels, quantizeNf4 } from "../src/index.ts"

const levels = Array.from(nf4Levels)
const codeAt = (codes: Uint8Array, i: number): number => ((codes[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0x0f
const normals = (n: number, seed: number, scale = 1): Float32Array => {
  const rng = Rng.seeded(seed)
  return Float32Array.from({ length: n }, () => rng.normal() * scale)
}
const blockAbsmax = (w: Float32Array, block: number, size: number): number =>
  Math.max(...Array.from(w.subarray(block * size, (block + 1) * size), Math.abs))

describe("quantizeNf4 / dequantizeNf4", () => {
  it("uses bitsandbytes' 16 levels: sorted, from -1 to 1, with an exact 0", () => {
    expect(levels).toHaveLength(16)
    expect(levels[0]).toBe(-1)
    expect(levels[7]).toBe(0)
    expect(levels[15]).toBe(1)
    for (let i = 1; i < 16; i++) expect(levels[i] as number).toBeGreaterThan(levels[i - 1] as number)
  })

  it("keeps every value within absmax * half the largest level gap, at its nearest level (partial last block)", () => {
    const blockSize = 64
    const w = normals(1000, 7, 0.02) // 15 full blocks and one of 40
    const q = quantizeNf4(w, blockSize)
    const deq = dequantizeNf4(q)
    const halfGap = Math.max(...levels.slice(1).map((v, i) => v - (levels[i] as number))) / 2 // (1 - 0.7229...) / 2
    expect(q.absmax).toHaveLength(16)
    for (let block = 0; block < 16; block++) expect(q.absmax[block]).toBe(blockAbsmax(w, block, blockSize))
    for (let i = 0; i < w.length; i++) {
      const absmax = q.absmax[Math.floor(i / blockSize)] as number
      const x = w[i] as number
      expect(Math.abs(x - (deq[i] as number))).toBeLessThanOrEqual(absmax * halfGap * (1 + 1e-6))
      // Brute force: no level is nearer to x / absmax than the chosen one.
      const chosen = Math.abs(x / absmax - (levels[codeAt(q.codes, i)] as number))
      for (const level of levels) expect(chosen).toBeLessThanOrEqual(Math.abs(x / absmax - level) + 1e-12)
    }
  })

  it("represents level * absmax exactly", () => {
    const rng = Rng.seeded(3)
    const blockSize = 16
    const absmaxes = [0.5, 3.25, 2 ** -10] // float32-exact scales
    const expectedCodes: number[] = []
    const w = new Float32Array(absmaxes.length * blockSize)
    absmaxes.forEach((absmax, block) => {
      for (let j = 0; j < blockSize; j++) {
        const code = j === 0 ? 15 : rng.int(16) // level 1.0 first, so the block's absmax is `absmax`
        expectedCodes.push(code)
        w[block * blockSize + j] = (levels[code] as number) * absmax
      }
    })
    const q = quantizeNf4(w, blockSize)
    expect(Array.from(q.absmax)).toEqual(absmaxes)
    expect(Array.from({ length: w.length }, (_, i) => codeAt(q.codes, i))).toEqual(expectedCodes)
    expect(dequantizeNf4(q)).toEqual(w)
  })

  it("packs two codes a byte, the first in the high nibble, padding an odd length", () => {
    const q = quantizeNf4(Float32Array.of(1, -1, 0), 64) // codes 15, 0, 7
    expect(q.length).toBe(3)
    expect(Array.from(q.codes)).toEqual([0xf0, 0x70])
    expect(nf4Bytes(q)).toBe(2 + 4) // two code bytes and one float32 absmax
    expect(Array.from(dequantizeNf4(q))).toEqual([1, -1, 0])
  })

  it("scales each block on its own, the last one partial", () => {
    // blocks of 4: [2, -1, 0.5, 0], [0.1, -0.3, 0.3, 0.15], [8, 4]
    const w = Float32Array.of(2, -1, 0.5, 0, 0.1, -0.3, 0.3, 0.15, 8, 4)
    const q = quantizeNf4(w, 4)
    expect(Array.from(q.absmax)).toEqual([2, 0.3, 8].map(Math.fround))
    expect(q.codes).toHaveLength(5)
    // x / absmax: [1, -0.5, 0.25, 0] [1/3, -1, 1, 0.5] [1, 0.5]; nearest levels by hand:
    const expected = [15, 2, 10, 7, 11, 0, 15, 12, 15, 12] // 0.5 is 0.059 from 0.4407, 0.063 from 0.5626
    expect(Array.from({ length: w.length }, (_, i) => codeAt(q.codes, i))).toEqual(expected)
    const deq = dequantizeNf4(q)
    expected.forEach((code, i) => expect(deq[i]).toBe(Math.fround((levels[code] as number) * (q.absmax[Math.floor(i / 4)] as number))))
  })

  it("breaks a tie between two levels toward the lower one, as bitsandbytes' x > midpoint", () => {
    const l6 = levels[6] as number
    const l8 = levels[8] as number
    // l8 / 2 lies halfway between levels 7 (0) and 8; l6 / 2 halfway between 6 and 7.
    const q = quantizeNf4(Float32Array.of(1, l8 / 2, l6 / 2))
    expect([0, 1, 2].map((i) => codeAt(q.codes, i))).toEqual([15, 7, 6])
  })

  it("maps an all-zero block to zeros", () => {
    const q = quantizeNf4(new Float32Array(5), 4)
    expect(Array.from(q.absmax)).toEqual([0, 0])
    expect(Array.from(dequantizeNf4(q))).toEqual([0, 0, 0, 0, 0])
  })

  it("rejects a block size that is not a positive integer", () => {
    expect(() => quantizeNf4(new Float32Array(4), 0)).toThrow(RangeError)
    expect(() => quantizeNf4(new Float32Array(4), 2.5)).toThrow(/blockSize/)
  })
})

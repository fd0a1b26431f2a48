import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { readSafetensors, writeSafetensors } from "../src/index.ts"

const tempDir = () => mkdtempSync(join(tmpdir(), "peftlab-safetensors-"))

/** A file assembled by hand, independently of writeSafetensors: header JSON, then raw bytes. */
const rawFile = (header: string, data: Uint8Array, headerLength?: number): string => {
  const json = Buffer.from(header)
  const prefix = Buffer.alloc(8)
  prefix.writeBigUInt64LE(BigInt(headerLength ?? json.length))
  const path = join(tempDir(), "raw.safetensors")
  writeFileSync(path, Buffer.concat([prefix, json, data]))
  return path
}

const uint16Bytes = (values: ReadonlyArray<number>): Uint8Array => {
  const bytes = Buffer.alloc(values.length * 2)
  values.forEach((v, i) => bytes.writeUInt16LE(v, i * 2))
  return bytes
}

const readOne = async (path: string, name: string) => {
  const tensors = await Effect.runPromise(readSafetensors(path))
  return tensors.get(name)
}

const readError = (path: string) => Effect.runPromise(Effect.flip(readSafetensors(path)))

describe("writeSafetensors / readSafetensors", () => {
  it("round-trips float32 tensors of any rank, with metadata, through an 8-byte aligned header", async () => {
    const dir = tempDir()
    const path = join(dir, "model.safetensors")
    const tensors = new Map([
      ["a.weight", { shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25, 0, 1e-8, -7e5]) }],
      ["b.bias", { shape: [4], data: Float32Array.from([0.1, 0.2, 0.3, Number.NaN]) }],
      ["scale", { shape: [], data: Float32Array.from([42]) }],
    ])
    await Effect.runPromise(writeSafetensors(path, tensors, { format: "pt" }))

    const read = await Effect.runPromise(readSafetensors(path))
    expect([...read.keys()]).toEqual(["a.weight", "b.bias", "scale"])
    for (const [name, { shape, data }] of tensors) {
      expect(read.get(name)).toEqual({ dtype: "F32", shape, data })
    }
    const bytes = readFileSync(path)
    const headerLength = Number(bytes.readBigUInt64LE(0))
    expect(headerLength % 8).toBe(0)
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString()).__metadata__).toEqual({ format: "pt" })
    expect(bytes.length).toBe(8 + headerLength + (6 + 4 + 1) * 4)
    expect(readdirSync(dir)).toEqual(["model.safetensors"])
  })

  it("refuses data that does not fill the shape, and writes nothing", async () => {
    const dir = tempDir()
    const path = join(dir, "bad.safetensors")
    const error = await Effect.runPromise(
      Effect.flip(writeSafetensors(path, new Map([["w", { shape: [2, 2], data: new Float32Array(3) }]]))),
    )
    expect(error._tag).toBe("ModelFileError")
    expect(error.source).toBe(path)
    expect(error.detail).toBe('tensor "w": shape [2, 2] needs 4 values, got 3')
    expect(readdirSync(dir)).toEqual([])
  })
})

describe("readSafetensors decoding", () => {
  it("decodes F16 bit patterns, subnormals and specials included", async () => {
    // sign | exponent (5 bits, bias 15) | mantissa (10 bits), worked out by hand:
    const cases: Array<[number, number]> = [
      [0x3c00, 1], // 2^0
      [0xc000, -2], // sign, 2^1
      [0x3555, (1 + 0x155 / 1024) * 2 ** -2], // 0.333251953125
      [0x7bff, 65504], // largest finite: (2 - 2^-10) * 2^15
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x8000, -0],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ]
    const path = rawFile(
      JSON.stringify({ h: { dtype: "F16", shape: [cases.length + 1], data_offsets: [0, (cases.length + 1) * 2] } }),
      uint16Bytes([...cases.map(([bits]) => bits), 0x7e00]),
    )
    const tensor = await readOne(path, "h")
    expect(tensor?.dtype).toBe("F16")
    expect(Array.from(tensor?.data ?? []).slice(0, -1)).toEqual(cases.map(([, value]) => value))
    expect(tensor?.data[cases.length]).toBeNaN() // 0x7e00: all-ones exponent, mantissa set
  })

  it("decodes BF16 as the upper half of a float32", async () => {
    const cases: Array<[number, number]> = [
      [0x3f80, 1], // 0x3f800000
      [0xc0a0, -5], // 0xc0a00000: sign, 2^2 * 1.25
      [0x4049, 2 * (1 + 0x49 / 128)], // 0x40490000 = 3.140625
      [0x0001, 2 ** -133], // 0x00010000, a float32 subnormal: 2^16 * 2^-149
      [0xff80, -Infinity],
      [0x8000, -0],
    ]
    const path = rawFile(
      JSON.stringify({ __metadata__: { source: "hand" }, b: { dtype: "BF16", shape: [2, 3], data_offsets: [0, 12] } }),
      uint16Bytes(cases.map(([bits]) => bits)),
    )
    const tensor = await readOne(path, "b")
    expect(tensor?.shape).toEqual([2, 3])
    expect(Array.from(tensor?.data ?? [])).toEqual(cases.map(([, value]) => value))
  })
})

describe("readSafetensors errors", () => {
  const f32 = (n: number) => new Uint8Array(n * 4)

  it.each([
    ["a header length past the end of the file", () => rawFile("{}", f32(0), 1000), "header length 1000 runs past the end of the file"],
    ["a header that is not JSON", () => rawFile('{"w": ', f32(0)), "header is not valid JSON"],
    ["a header that is not an object", () => rawFile("[1]", f32(0)), "header is not a JSON object of tensor entries"],
    ["a dtype it holds but does not read as values", () => rawFile(JSON.stringify({ ids: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }), f32(2)), 'tensor "ids" is I64; peftlab reads model weights stored as F32, F16, BF16'],
    ["offsets past the data", () => rawFile(JSON.stringify({ w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }), f32(2)), 'tensor "w": data_offsets [0, 16] fall outside the 8-byte data section'],
    ["offsets that disagree with the shape", () => rawFile(JSON.stringify({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }), f32(2)), 'tensor "w": data_offsets [0, 8] hold 8 bytes, but F32 of shape [3] needs 12'],
    ["a negative dimension", () => rawFile(JSON.stringify({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }), f32(0)), 'tensor "w": field "shape[0]"'],
    ["tensors that overlap", () => rawFile(JSON.stringify({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }), f32(3)), 'tensor "b" (bytes 4 to 12) overlaps tensor "a" (bytes 0 to 8)'],
    ["bytes between tensors", () => rawFile(JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } }), f32(3)), 'bytes 4 to 8 of the data section belong to no tensor (before tensor "b")'],
    ["bytes after the last tensor", () => rawFile(JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }), f32(2)), "bytes 4 to 8 of the data section belong to no tensor"],
  ])("names the file and the fault for %s", async (_, makeFile, detail) => {
    const path = makeFile()
    const error = await readError(path)
    expect(error._tag).toBe("ModelFileError")
    expect(error.source).toBe(path)
    expect(error.detail).toContain(detail)
  })

  it("reports a file too short to hold the header length, and a missing file", async () => {
    const short = join(tempDir(), "short.safetensors")
    writeFileSync(short, Buffer.from([1, 2, 3]))
    expect((await readError(short)).detail).toBe("file has 3 bytes, fewer than the 8-byte header length")
    const missing = join(tempDir(), "none.safetensors")
    expect(await readError(missing)).toMatchObject({ source: missing, detail: "file not found" })
  })
})

// The pieces of an event file against fixed vectors: CRC-32C (RFC 3720 and the usual check value),
// TFRecord's masked CRC (values from TensorBoard's own Python implementation) and Event bytes
// (as protobuf 7.36.2 serialises tensorboard's event_pb2 for the same fields).
import { describe, expect, it } from "vitest"
import { crc32c, maskedCrc32c } from "../src/tensorboard/crc32c.ts"
import { encodeEvent } from "../src/tensorboard/event-proto.ts"
import { tfRecord, tfRecordFile } from "../src/tensorboard/tfrecord.ts"
import { decodeEvent, readTfRecords } from "./readers/tfrecord-reader.ts"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("crc32c", () => {
  it("matches the known vectors", () => {
    expect(crc32c(bytes("123456789"))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
  })

  it("masks as TFRecord does", () => {
    expect(maskedCrc32c(bytes("123456789"))).toBe(0xc78ab0e5)
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8)
    expect(maskedCrc32c(new Uint8Array(32))).toBe(0x0fd7fffa)
    expect(maskedCrc32c(new Uint8Array(32).fill(0xff))).toBe(0xf909b029)
  })
})

describe("tfRecord", () => {
  it("frames data with its length and both checksums", () => {
    const data = bytes("x".repeat(25))
    const record = tfRecord(data)
    expect(record.length).toBe(8 + 4 + 25 + 4)
    expect(Buffer.from(record.subarray(0, 8)).toString("hex")).toBe("1900000000000000")
    expect(Buffer.from(record).readUInt32LE(8)).toBe(0x2808f18b)
    expect(readTfRecords(record)).toEqual([data])
  })

  it("reads back a stream of records, empty ones included, and rejects a flipped bit", () => {
    const records = [bytes("a"), new Uint8Array(0), bytes("é".repeat(300))]
    const file = tfRecordFile(records)
    expect(readTfRecords(file)).toEqual(records)
    for (const at of [0, 9, 12, file.length - 1]) {
      const broken = Uint8Array.from(file)
      broken[at]! ^= 1
      expect(() => readTfRecords(broken)).toThrow()
    }
  })
})

describe("encodeEvent", () => {
  it("gives protobuf's bytes for a summary event", () => {
    const event = encodeEvent({ wallTime: 1700000000.25, step: 3, values: [{ tag: "train/loss", simpleValue: 0.5 }, { tag: "t", simpleValue: 0 }] })
    expect(Buffer.from(event).toString("hex")).toBe("0900001040fc54d94110032a1d0a110a0a747261696e2f6c6f7373150000003f0a080a01741500000000")
  })

  it("gives protobuf's bytes for the file version event, with a step past 32 bits", () => {
    const event = encodeEvent({ wallTime: 1.5, step: 2 ** 40 + 7, fileVersion: "brain.Event:2" })
    expect(Buffer.from(event).toString("hex")).toBe("09000000000000f83f108780808080201a0d627261696e2e4576656e743a32")
  })

  it("round-trips through an independent decoder, values rounded to float32", () => {
    const values = [0.1, -3.5e38, 1e-45, Number.NaN, Number.POSITIVE_INFINITY, 123456.789].map((v, i) => ({ tag: `tag ${i} ✓`, simpleValue: v }))
    const decoded = decodeEvent(encodeEvent({ wallTime: 1234.5678, step: Number.MAX_SAFE_INTEGER, values }))
    expect(decoded).toEqual({ wallTime: 1234.5678, step: Number.MAX_SAFE_INTEGER, values: values.map((v) => ({ ...v, simpleValue: Math.fround(v.simpleValue) })) })
  })

  it("refuses a negative or fractional step", () => {
    expect(() => encodeEvent({ wallTime: 0, step: -1, fileVersion: "x" })).toThrow(RangeError)
    expect(() => encodeEvent({ wallTime: 0, step: 1.5, fileVersion: "x" })).toThrow(RangeError)
  })
})

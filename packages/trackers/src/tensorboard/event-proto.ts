// The event file's records are `Event` protobufs (tensorflow/core/util/event.proto); the few
// fields a scalar needs are encoded here by hand, so writing TensorBoard files needs no protobuf
// library. Wire format: https://protobuf.dev/programming-guides/encoding/
//   Event   { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; oneof value { float simple_value = 2; } }

/** One event: the file's version line (first event of a file) or a summary of scalar values. */
export type EventRecord =
  | { readonly wallTime: number; readonly step: number; readonly fileVersion: string }
  | { readonly wallTime: number; readonly step: number; readonly values: ReadonlyArray<{ readonly tag: string; readonly simpleValue: number }> }

const VARINT = 0
const FIXED64 = 1
const LENGTH_DELIMITED = 2
const FIXED32 = 5

// An unsigned varint: 7 bits a byte, low bits first, high bit set on all but the last byte.
// Steps stay below 2^53, so plain arithmetic (not 32-bit operators) keeps every bit.
const varint = (value: number): Array<number> => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: ${value} is not a whole number >= 0`)
  const bytes: Array<number> = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return bytes
}

const key = (field: number, wireType: number): Array<number> => varint(field * 8 + wireType)

const lengthDelimited = (field: number, bytes: Uint8Array): Uint8Array =>
  Buffer.concat([Uint8Array.from([...key(field, LENGTH_DELIMITED), ...varint(bytes.length)]), bytes])

const double = (field: number, value: number): Uint8Array => {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleLE(value)
  return Buffer.concat([Uint8Array.from(key(field, FIXED64)), bytes])
}

const float = (field: number, value: number): Uint8Array => {
  const bytes = Buffer.alloc(4)
  bytes.writeFloatLE(value)
  return Buffer.concat([Uint8Array.from(key(field, FIXED32)), bytes])
}

const int64 = (field: number, value: number): Uint8Array => Uint8Array.from([...key(field, VARINT), ...varint(value)])

const text = (field: number, value: string): Uint8Array => lengthDelimited(field, Buffer.from(value, "utf8"))

// simple_value sits in a oneof, so it is written even when 0 (a Value without it shows nothing).
const summaryValue = (tag: string, simpleValue: number): Uint8Array => Buffer.concat([text(1, tag), float(2, simpleValue)])

/** The protobuf bytes of one `Event`. */
export const encodeEvent = (event: EventRecord): Uint8Array =>
  Buffer.concat([
    double(1, event.wallTime),
    int64(2, event.step),
    "fileVersion" in event
      ? text(3, event.fileVersion)
      : lengthDelimited(5, Buffer.concat(event.values.map((v) => lengthDelimited(1, summaryValue(v.tag, v.simpleValue))))),
  ])

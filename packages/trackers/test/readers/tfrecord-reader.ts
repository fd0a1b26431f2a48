// An event-file reader written from the documented formats alone (TFRecord framing, protobuf wire
// format, event.proto / summary.proto), sharing no code with src/, so reading back what
// writeTensorBoard wrote checks the writer against the formats rather than against itself.

// CRC-32C bit by bit (src/ uses a table), then TFRecord's mask.
const crc32cBitwise = (bytes: Uint8Array): number => {
  let crc = ~0 >>> 0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1))
  }
  return ~crc >>> 0
}
export const masked = (bytes: Uint8Array): number => {
  const crc = crc32cBitwise(bytes)
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0
}

/** The records of a TFRecord file; throws on a bad length or data checksum or a truncated record. */
export const readTfRecords = (file: Uint8Array): Array<Uint8Array> => {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const records: Array<Uint8Array> = []
  let at = 0
  while (at < file.length) {
    if (at + 12 > file.length) throw new Error(`truncated header at ${at}`)
    const length = Number(view.getBigUint64(at, true))
    if (view.getUint32(at + 8, true) !== masked(file.subarray(at, at + 8))) throw new Error(`bad length crc at ${at}`)
    const data = file.subarray(at + 12, at + 12 + length)
    if (data.length !== length || at + 16 + length > file.length) throw new Error(`truncated record at ${at}`)
    if (view.getUint32(at + 12 + length, true) !== masked(data)) throw new Error(`bad data crc at ${at}`)
    records.push(Uint8Array.from(data))
    at += 16 + length
  }
  return records
}

type Field = { readonly field: number; readonly wire: number; readonly varint?: bigint; readonly bytes?: Uint8Array }

// Generic protobuf decoding: a list of (field number, wire type, payload).
const fields = (bytes: Uint8Array): Array<Field> => {
  const out: Array<Field> = []
  let at = 0
  const readVarint = (): bigint => {
    let value = 0n
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++]
      if (byte === undefined) throw new Error("truncated varint")
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value
    }
  }
  while (at < bytes.length) {
    const key = readVarint()
    const field = Number(key >> 3n)
    const wire = Number(key & 7n)
    if (wire === 0) out.push({ field, wire, varint: readVarint() })
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4
      out.push({ field, wire, bytes: bytes.subarray(at, at + size) })
      at += size
    } else if (wire === 2) {
      const size = Number(readVarint())
      out.push({ field, wire, bytes: bytes.subarray(at, at + size) })
      at += size
    } else throw new Error(`unsupported wire type ${wire}`)
    if (at > bytes.length) throw new Error("truncated field")
  }
  return out
}

export interface DecodedEvent {
  wallTime: number
  step: number
  fileVersion?: string
  values?: Array<{ tag: string; simpleValue?: number }>
}

const utf8 = new TextDecoder("utf-8", { fatal: true })
const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)

/** An `Event` (wall_time = 1 double, step = 2 int64, file_version = 3, summary = 5). */
export const decodeEvent = (bytes: Uint8Array): DecodedEvent => {
  const event: DecodedEvent = { wallTime: 0, step: 0 }
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.wire === 1) event.wallTime = le(f.bytes!).getFloat64(0, true)
    else if (f.field === 2 && f.wire === 0) event.step = Number(BigInt.asIntN(64, f.varint!))
    else if (f.field === 3 && f.wire === 2) event.fileVersion = utf8.decode(f.bytes!)
    else if (f.field === 5 && f.wire === 2) {
      event.values = fields(f.bytes!)
        .filter((v) => v.field === 1 && v.wire === 2)
        .map((v) => {
          const value: { tag: string; simpleValue?: number } = { tag: "" }
          for (const g of fields(v.bytes!)) {
            if (g.field === 1 && g.wire === 2) value.tag = utf8.decode(g.bytes!)
            else if (g.field === 2 && g.wire === 5) value.simpleValue = le(g.bytes!).getFloat32(0, true)
          }
          return value
        })
    } else throw new Error(`unexpected Event field ${f.field} (wire ${f.wire})`)
  }
  return event
}

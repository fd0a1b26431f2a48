// Reads a tar stream (POSIX ustar, with the pax and GNU extensions that `git archive` and GNU
// tar write: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html) as regular
// files and folders. A pax extended header ('x') or a GNU long name ('L') gives the next
// entry's path; pax global headers ('g', where `git archive` puts the commit id), links and
// devices are skipped, since a data set needs only its files. Sizes are read from the headers'
// octal fields, which hold up to 8 GiB; a larger file's pax `size` record is not read, so its
// archive fails with a checksum error rather than extract wrong bytes.

/** The archive breaks the tar format: a bad header checksum or size, or an early end. */
export class TarFormatError extends Error {}

export interface TarDirectory {
  readonly kind: "directory"
  /** As written in the archive: the caller decides whether it is safe to extract. */
  readonly path: string
}

export interface TarFile {
  readonly kind: "file"
  /** As written in the archive: the caller decides whether it is safe to extract. */
  readonly path: string
  /** The file's bytes: read them before asking for the next entry, else they are skipped. */
  readonly body: AsyncIterable<Buffer>
}

export type TarEntry = TarDirectory | TarFile

const block = 512
const sliceBytes = 64 * 1024

/** Reads exactly `n` bytes at a time from `source`; fewer only where the stream ends. */
const byteReader = (source: AsyncIterable<Buffer>) => {
  const chunks = source[Symbol.asyncIterator]()
  let buffered: Buffer = Buffer.alloc(0)
  return async (n: number): Promise<Buffer> => {
    const parts = [buffered]
    let length = buffered.length
    while (length < n) {
      const next = await chunks.next()
      if (next.done === true) break
      parts.push(next.value)
      length += next.value.length
    }
    const all = parts.length === 1 ? buffered : Buffer.concat(parts)
    buffered = all.subarray(n)
    return all.subarray(0, n)
  }
}

/** A NUL-terminated header field. */
const text = (header: Buffer, start: number, length: number): string => {
  const field = header.subarray(start, start + length)
  const end = field.indexOf(0)
  return field.subarray(0, end === -1 ? length : end).toString("utf8")
}

/** An octal number field (space- or NUL-padded); undefined when it holds anything else. */
const octal = (header: Buffer, start: number, length: number): number | undefined => {
  const digits = text(header, start, length).trim()
  return /^[0-7]+$/.test(digits) ? Number.parseInt(digits, 8) : undefined
}

/** The header's byte sum with its own checksum field counted as spaces. */
const checksumOf = (header: Buffer): number => {
  let sum = 8 * 0x20
  for (let i = 0; i < block; i++) if (i < 148 || i >= 156) sum += header[i]!
  return sum
}

/** POSIX ustar splits long paths into prefix/name; GNU's older "ustar  " uses those bytes otherwise. */
const headerPath = (header: Buffer): string => {
  const name = text(header, 0, 100)
  const isPosix = header.subarray(257, 263).equals(Buffer.from("ustar\0", "latin1"))
  const prefix = isPosix ? text(header, 345, 155) : ""
  return prefix === "" ? name : `${prefix}/${name}`
}

/** The `path` record of a pax extended header: records are "<length> <key>=<value>\n", length in bytes. */
const paxPath = (data: Buffer): string | undefined => {
  let path: string | undefined
  for (let at = 0; at < data.length; ) {
    const space = data.indexOf(0x20, at)
    const length = Number(data.subarray(at, space).toString("latin1"))
    if (space === -1 || !Number.isInteger(length) || length <= space - at || at + length > data.length) {
      throw new TarFormatError("a pax extended header holds a malformed record")
    }
    const record = data.subarray(space + 1, at + length - 1).toString("utf8")
    const equals = record.indexOf("=")
    if (record.slice(0, equals) === "path") path = record.slice(equals + 1)
    at += length
  }
  return path
}

/** The entries of the tar stream `source`, in archive order. */
export async function* tarEntries(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const read = byteReader(source)
  const readExactly = async (n: number, what: string): Promise<Buffer> => {
    const bytes = await read(n)
    if (bytes.length < n) throw new TarFormatError(`the archive ends inside ${what}`)
    return bytes
  }
  let nextPath: string | undefined
  for (;;) {
    const header = await read(block)
    // Two zero blocks end the archive; some writers stop at the stream's end instead.
    if (header.length === 0 || header.every((byte) => byte === 0)) return
    if (header.length < block) throw new TarFormatError("the archive ends inside a header")
    const path = nextPath ?? headerPath(header)
    const size = octal(header, 124, 12)
    if (octal(header, 148, 8) !== checksumOf(header)) throw new TarFormatError(`the header of ${JSON.stringify(path)} fails its checksum`)
    if (size === undefined) throw new TarFormatError(`the header of ${JSON.stringify(path)} has no octal size`)
    const padded = Math.ceil(size / block) * block
    const type = String.fromCharCode(header[156]!)
    if (type === "x" || type === "L") {
      const data = (await readExactly(padded, `the extended header of ${JSON.stringify(path)}`)).subarray(0, size)
      nextPath = type === "x" ? (paxPath(data) ?? nextPath) : text(data, 0, size)
      continue
    }
    nextPath = undefined
    let left = size
    async function* body(): AsyncGenerator<Buffer> {
      while (left > 0) {
        const slice = await readExactly(Math.min(left, sliceBytes), JSON.stringify(path))
        left -= slice.length
        yield slice
      }
    }
    if (type === "0" || type === "\0") yield { kind: "file", path, body: body() }
    else if (type === "5") yield { kind: "directory", path }
    // Whatever the consumer left unread, and the padding, comes before the next header.
    await readExactly(left + padded - size, JSON.stringify(path))
  }
}

// A minimal tar writer for the tests, written from the POSIX ustar layout
// (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_06), so
// that archives with pax headers, GNU long names and hostile paths can be made without `tar`.
import { gzipSync } from "node:zlib"

export interface TarItem {
  /** The header's name field (at most 100 bytes; longer paths go in `prefix`, a pax path or a long name). */
  readonly name: string
  /** ustar's 155-byte prefix, joined to the name with a slash. */
  readonly prefix?: string
  /** '0' file, '5' folder, '2' symbolic link, 'x' pax header, 'g' pax global header, 'L' GNU long name. */
  readonly type: "0" | "5" | "2" | "x" | "g" | "L"
  readonly content?: string | Buffer
}

const put = (header: Buffer, at: number, length: number, value: string) => {
  const bytes = Buffer.from(value, "utf8")
  if (bytes.length > length) throw new Error(`${JSON.stringify(value)} does not fit ${length} bytes`)
  bytes.copy(header, at)
}

/** A zero-padded octal field with its terminating NUL. */
const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, "0")}\0`

const headerOf = (item: TarItem, size: number): Buffer => {
  const header = Buffer.alloc(512)
  put(header, 0, 100, item.name)
  put(header, 100, 8, octal(0o644, 8))
  put(header, 108, 8, octal(0, 8))
  put(header, 116, 8, octal(0, 8))
  put(header, 124, 12, octal(size, 12))
  put(header, 136, 12, octal(1_700_000_000, 12))
  put(header, 156, 1, item.type)
  put(header, 257, 8, "ustar\u000000")
  put(header, 345, 155, item.prefix ?? "")
  // The checksum is the byte sum with the checksum field read as eight spaces.
  header.fill(0x20, 148, 156)
  put(header, 148, 8, `${octal(header.reduce((sum, byte) => sum + byte, 0), 7)} `)
  return header
}

/** The tar bytes of `items`, each padded to 512 bytes, closed by two zero blocks. */
export const tar = (items: ReadonlyArray<TarItem>): Buffer =>
  Buffer.concat([
    ...items.flatMap((item) => {
      const content = Buffer.from(item.content ?? "")
      return [headerOf(item, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512)]
    }),
    Buffer.alloc(1024),
  ])

export const tarGz = (items: ReadonlyArray<TarItem>): Buffer => gzipSync(tar(items))

/** One pax record, "<length> <key>=<value>\n", whose length counts its own digits. */
export const paxRecord = (key: string, value: string): string => {
  const rest = Buffer.byteLength(` ${key}=${value}\n`)
  const digits = String(rest).length
  // Adding the digits can carry the length into one more digit (98 + 2 = 100).
  const length = String(rest + digits).length > digits ? rest + digits + 1 : rest + digits
  return `${length} ${key}=${value}\n`
}

// Files users give (specs, data) must be UTF-8: Node's "utf8" decoding would turn other bytes
// into U+FFFD replacement characters in silence, changing labels and texts (issue 17). Shared
// by the spec loader and the data readers, which refuse such a file naming the line.
import { isUtf8 } from "node:buffer"

/** The 1-based line of the first byte sequence in `bytes` that is not UTF-8; undefined when all of it is. */
export const nonUtf8Line = (bytes: Uint8Array): number | undefined => {
  if (isUtf8(bytes)) return undefined
  let start = 0
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start)
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end)) || end === -1) return line
    start = end + 1
  }
}

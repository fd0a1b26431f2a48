/** One CSV field: quoted (with quotes doubled) when it holds a comma, quote, CR or LF, as RFC 4180 requires. */
const field = (value: string | number): string => {
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** A CSV document: header line, then one line per row, each ending in "\n". Numbers keep full precision. */
export const toCsv = (header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(`toCsv: row ${i} has ${row.length} fields, the header has ${header.length}`)
    }
  })
  return [header, ...rows].map((row) => `${row.map(field).join(",")}\n`).join("")
}

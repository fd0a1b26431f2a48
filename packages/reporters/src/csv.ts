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

/** The rows of a CSV document as toCsv writes it (RFC 4180 quoting, LF or CRLF line ends), header first. */
export const fromCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let value = ""
  let quoted = false
  const endValue = () => {
    row.push(value)
    value = ""
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted && c === '"' && text[i + 1] === '"') {
      value += '"'
      i++
    } else if (c === '"') {
      quoted = !quoted
    } else if (quoted || (c !== "," && c !== "\n" && c !== "\r")) {
      value += c
    } else if (c === ",") {
      endValue()
    } else if (c === "\n") {
      endValue()
      rows.push(row)
      row = []
    }
  }
  if (value !== "" || row.length > 0) {
    endValue()
    rows.push(row)
  }
  return rows
}

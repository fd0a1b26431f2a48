export type Align = "left" | "right" | "center"

const rule: Record<Align, string> = { left: ":---", right: "---:", center: ":---:" }

/** Pipes would end the cell and newlines the row, so they are escaped. */
const cell = (value: string | number): string => String(value).replaceAll("|", "\\|").replace(/\r?\n/g, "<br>")

/** A GitHub-flavoured markdown table; `align` gives one alignment per column (default: left). */
export const toMarkdownTable = (
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  align?: readonly Align[],
): string => {
  if (align !== undefined && align.length !== header.length) {
    throw new RangeError(`toMarkdownTable: ${align.length} alignments for ${header.length} columns`)
  }
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(`toMarkdownTable: row ${i} has ${row.length} cells, the header has ${header.length}`)
    }
  })
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map(cell).join(" | ")} |\n`
  return line(header) + line(header.map((_, i) => rule[align?.[i] ?? "left"])) + rows.map(line).join("")
}

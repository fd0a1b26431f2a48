// report.html shows results.md and stats.md as HTML. Those files only hold what this package
// writes (headings, pipe tables from toMarkdownTable, paragraphs, "- " lists, **bold**,
// `code`), so a small converter for exactly that does, with every piece of text escaped.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

/** Text made safe for element content and quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!)

/** Escaped text with **bold** and `code` spans. */
export const inlineMarkdown = (text: string): string =>
  escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")

const ALIGN: ReadonlyArray<[RegExp, string]> = [[/^:-+:$/, "center"], [/^-+:$/, "right"], [/^:?-+$/, "left"]]

/** The cells of a `| a | b |` row; `\|` is a pipe inside a cell. */
const cells = (line: string): string[] =>
  line.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "").split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll("\\|", "|"))

/** toMarkdownTable writes a newline inside a cell as <br>: kept as a line break, the rest escaped. */
const cellHtml = (cell: string): string => cell.split("<br>").map(inlineMarkdown).join("<br>")

const tableHtml = (lines: ReadonlyArray<string>): string => {
  const [header = [], rule = [], ...body] = lines.map(cells)
  const align = rule.map((r) => ALIGN.find(([pattern]) => pattern.test(r))?.[1] ?? "left")
  const row = (tag: "th" | "td", row: ReadonlyArray<string>) =>
    `<tr>${row.map((cell, i) => `<${tag} class="align-${align[i] ?? "left"}">${cellHtml(cell)}</${tag}>`).join("")}</tr>`
  return `<div class="table-wrap"><table><thead>${row("th", header)}</thead><tbody>${body.map((r) => row("td", r)).join("")}</tbody></table></div>`
}

/**
 * HTML of `markdown`. A heading of level L becomes h(L + headingShift), at most h6, so a
 * file's "## ..." nests under the page section that shows it.
 */
export const markdownToHtml = (markdown: string, headingShift = 0): string => {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n")
  const blocks: string[] = []
  let i = 0
  /** The lines from `i` on that `test` accepts, consumed. */
  const run = (test: (line: string) => boolean): string[] => {
    const taken: string[] = []
    while (i < lines.length && test(lines[i]!)) taken.push(lines[i++]!)
    return taken
  }
  const isTable = (line: string) => line.trimStart().startsWith("|")
  const isItem = (line: string) => /^\s*[-*] /.test(line)
  const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/
  while (i < lines.length) {
    const line = lines[i]!
    const h = heading.exec(line)
    if (line.trim() === "") i++
    else if (h) {
      const level = Math.min(6, h[1]!.length + headingShift)
      blocks.push(`<h${level}>${inlineMarkdown(h[2]!)}</h${level}>`)
      i++
    } else if (isTable(line)) blocks.push(tableHtml(run(isTable)))
    else if (isItem(line)) blocks.push(`<ul>${run(isItem).map((item) => `<li>${inlineMarkdown(item.replace(/^\s*[-*] /, ""))}</li>`).join("")}</ul>`)
    else {
      const paragraph = run((l) => l.trim() !== "" && !heading.test(l) && !isTable(l) && !isItem(l))
      blocks.push(`<p>${paragraph.map((l) => inlineMarkdown(l.trim())).join(" ")}</p>`)
    }
  }
  return blocks.join("\n")
}

// results.csv and results.md of a task whose arms report a fixed set of numbers (generative
// QA, span extraction): one row per arm, numbers to 4 decimals in the Markdown, and under the
// table any notes on how the numbers were computed (report.md and report.html show them too).
import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv, toMarkdownTable, type Align } from "@peftlab/reporters"

/** `name`: the files' base name and heading, results (results.csv, results.md, "# Results") unless given. */
export const writeResultTable = async (
  outDir: string,
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  notes: ReadonlyArray<string> = [],
  name: { readonly file: string; readonly heading: string } = { file: "results", heading: "Results" },
): Promise<void> => {
  await writeFileAtomic(join(outDir, `${name.file}.csv`), toCsv([...columns], rows.map((row) => [...row])))
  const shown = rows.map((row) => row.map((value) => (typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : value)))
  // The arm's name and kind read left, its numbers right.
  const table = toMarkdownTable([...columns], shown, columns.map((_, i): Align => (i < 2 ? "left" : "right")))
  await writeFileAtomic(join(outDir, `${name.file}.md`), `# ${name.heading}\n\n${table}${notes.map((note) => `\n${note}\n`).join("")}`)
}

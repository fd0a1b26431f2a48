// A stand-in for the two-class clinical-text study's notes, which are not public: PubMedQA's
// contexts as notes, "positive" where the answer is yes and "negative" where it is no, as the
// study's CSV (text,label) has them.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** Writes `dir`/notes.csv from the first `rows` yes/no entries of PubMedQA's ori_pqal.json; returns its path. */
export const writeClinicalNotes = (pubmedqa: string, dir: string, rows = 120): string => {
  const entries = JSON.parse(readFileSync(pubmedqa, "utf8")) as Record<string, { CONTEXTS: string[]; final_decision: string }>
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`
  const lines = Object.values(entries)
    .filter((entry) => entry.final_decision !== "maybe")
    .slice(0, rows)
    .map((entry) => `${quote(entry.CONTEXTS.join(" "))},${entry.final_decision === "yes" ? "positive" : "negative"}`)
  const file = join(dir, "notes.csv")
  writeFileSync(file, ["text,label", ...lines].join("\n") + "\n")
  return file
}

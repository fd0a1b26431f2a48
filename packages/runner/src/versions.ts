// Versions of the packages a run used, for the manifest: read from the package.json that
// sits above each package's resolved entry point.
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageJsonAbove = (file: string): string | undefined => {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "package.json")
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

export const packageVersions = (names: ReadonlyArray<string>): Record<string, string> =>
  Object.fromEntries(
    names.map((name) => {
      const file = packageJsonAbove(fileURLToPath(import.meta.resolve(name)))
      const version = file ? (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version : undefined
      return [name, version ?? "unknown"]
    }),
  )

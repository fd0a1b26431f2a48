// An MLflow file-store reader written from mlflow's FileStore layout alone (sharing no code with
// src/): experiments <root>/<id>/meta.yaml, runs <id>/<run>/{meta.yaml,params,metrics,tags,artifacts}.
// Its YAML reading covers single-line values only, which is all these tests write.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

export interface StoredRun {
  meta: Record<string, string | number | null>
  params: Record<string, string>
  tags: Record<string, string>
  metrics: Record<string, Array<{ timestamp: number; value: number; step: number }>>
  artifacts: Record<string, string>
}
export interface StoredExperiment {
  meta: Record<string, string | number | null>
  runs: Record<string, StoredRun>
}

const files = (dir: string): Array<string> => {
  let entries: Array<string>
  try {
    entries = readdirSync(dir)
  } catch {
    return []
  }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

const byKey = <T>(dir: string, read: (path: string) => T): Record<string, T> =>
  Object.fromEntries(files(dir).map((path) => [relative(dir, path), read(path)]))

export const readYamlLine = (text: string): string | number | null => {
  if (text === "null") return null
  if (text === "[]") return "[]"
  if (/^-?\d+$/.test(text)) return Number(text)
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'")
  if (text.startsWith('"')) return JSON.parse(text) as string
  return text
}

export const readMeta = (path: string): Record<string, string | number | null> =>
  Object.fromEntries(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const at = line.indexOf(": ")
        return [line.slice(0, at), readYamlLine(line.slice(at + 2))]
      }),
  )

/** Every experiment of the store at `root` with its runs, by id. */
export const readMlflowStore = (root: string): Record<string, StoredExperiment> =>
  Object.fromEntries(
    readdirSync(root)
      .filter((name) => name !== ".trash" && statSync(join(root, name)).isDirectory())
      .map((id) => {
        const dir = join(root, id)
        const runs = readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory())
        return [
          id,
          {
            meta: readMeta(join(dir, "meta.yaml")),
            runs: Object.fromEntries(
              runs.map((run) => {
                const runDir = join(dir, run)
                const stored: StoredRun = {
                  meta: readMeta(join(runDir, "meta.yaml")),
                  params: byKey(join(runDir, "params"), (p) => readFileSync(p, "utf8")),
                  tags: byKey(join(runDir, "tags"), (p) => readFileSync(p, "utf8")),
                  metrics: byKey(join(runDir, "metrics"), (p) =>
                    readFileSync(p, "utf8")
                      .split("\n")
                      .filter((line) => line !== "")
                      .map((line) => {
                        const [timestamp, value, step, ...rest] = line.split(" ")
                        if (rest.length > 0 || step === undefined) throw new Error(`${p}: malformed line "${line}"`)
                        return { timestamp: Number(timestamp), value: Number(value), step: Number(step) }
                      }),
                  ),
                  artifacts: byKey(join(runDir, "artifacts"), (p) => readFileSync(p, "utf8")),
                }
                return [run, stored]
              }),
            ),
          },
        ]
      }),
  )

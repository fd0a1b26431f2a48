// xz shrinks the two big binaries (Node, Dawn) to about a quarter, which keeps the carried
// folder well inside the device machine's 64 MiB. Compressing Node takes about a minute on two
// cores, so each archive is cached in the temp folder, keyed by its source's path, size and mtime.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const cacheDir = join(tmpdir(), "peftlab-gpu-bundle")

const cachedArchive = (source: string): string => {
  const { size, mtimeMs } = statSync(source)
  const key = createHash("sha256").update(JSON.stringify({ source, size, mtimeMs })).digest("hex").slice(0, 16)
  const archive = join(cacheDir, `${key}.xz`)
  if (existsSync(archive)) return archive
  mkdirSync(cacheDir, { recursive: true })
  const partial = `${archive}.${process.pid}.partial`
  const xz = spawnSync("sh", ["-c", 'xz -T0 -6 -c "$1" > "$2"', "xz", source, partial], { stdio: "inherit" })
  if (xz.status !== 0) throw new Error(`xz failed on ${source} (is xz installed?)`)
  renameSync(partial, archive)
  return archive
}

/** Writes `source` compressed with `xz -T0 -6` to `target` (…/name.xz). */
export const compressInto = (source: string, target: string): void => copyFileSync(cachedArchive(source), target)

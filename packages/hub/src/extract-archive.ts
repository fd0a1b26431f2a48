// A downloaded .tar.gz (a GitHub repository's tarball, say) becomes a folder next to it,
// `<download folder>/extracted`, made once: entries go into `extracted.incomplete`, which is
// renamed into place only when the whole archive is out, so an interrupted extraction is
// redone from the start and a finished one is reused, offline too.
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, readdir, rename, rm } from "node:fs/promises"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream/promises"
import { createGunzip } from "node:zlib"
import { exists } from "./cache-layout.ts"
import { HubError } from "./hub-error.ts"
import { tarEntries, TarFormatError } from "./tar-entries.ts"

/** Whether `url` names a gzip-compressed tar archive, by the extension of its path. */
export const isTarGzUrl = (url: string): boolean => /\.(tar\.gz|tgz)$/i.test(new URL(url).pathname)

/** `entry` as a path inside the extraction folder; absolute paths and `..` could write outside it. */
const insidePath = (source: string, entry: string): string => {
  const segments = entry.split("/").filter((segment) => segment !== "" && segment !== ".")
  if (entry.startsWith("/") || segments.includes("..")) {
    throw new HubError({ source, detail: `the archive's entry ${JSON.stringify(entry)} points outside the folder it is extracted into; refusing to extract it` })
  }
  return segments.join("/")
}

const extractInto = async (archive: string, dir: string, source: string): Promise<void> => {
  await mkdir(dir, { recursive: true })
  for await (const entry of tarEntries(createReadStream(archive).pipe(createGunzip()))) {
    const path = join(dir, insidePath(source, entry.path))
    if (entry.kind === "directory") {
      await mkdir(path, { recursive: true })
      continue
    }
    await mkdir(dirname(path), { recursive: true })
    await pipeline(entry.body, createWriteStream(path))
  }
}

// zlib's errors carry codes such as Z_DATA_ERROR (not gzip) and Z_BUF_ERROR (cut short).
const isFormatError = (cause: unknown): boolean =>
  cause instanceof TarFormatError || String((cause as { code?: unknown } | null)?.code ?? "").startsWith("Z_")

/** The single top-level folder of what was extracted, when there is exactly one (GitHub's `repo-branch/`). */
const topFolder = async (root: string): Promise<string> => {
  const entries = await readdir(root, { withFileTypes: true })
  const [only] = entries
  return entries.length === 1 && only?.isDirectory() === true ? join(root, only.name) : root
}

/**
 * The folder `archive` (a .tar.gz downloaded from `source`) extracts to, extracting it first
 * when needed. An archive that is no .tar.gz is deleted, so that the next run downloads it again.
 */
export const extractedArchive = async (archive: string, source: string): Promise<string> => {
  const root = join(dirname(archive), "extracted")
  if (!(await exists(root))) {
    const partial = `${root}.incomplete`
    await rm(partial, { recursive: true, force: true })
    try {
      await extractInto(archive, partial, source)
    } catch (cause) {
      await rm(partial, { recursive: true, force: true })
      if (!isFormatError(cause)) throw cause
      await rm(archive, { force: true })
      throw new HubError({
        source,
        detail: `${archive} is not a readable .tar.gz archive (${cause instanceof Error ? cause.message : String(cause)}); it was deleted: run again, and if this persists the URL serves no .tar.gz archive`,
      })
    }
    await rename(partial, root)
  }
  return topFolder(root)
}

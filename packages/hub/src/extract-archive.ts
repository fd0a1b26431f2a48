// A .tar.gz (a downloaded GitHub tarball, or a local archive) becomes a folder, made once:
// `<download folder>/extracted` beside a download, a cache folder for a local archive. Entries
// go into `extracted.incomplete`, which is renamed into place only when the whole archive is
// out, so an interrupted extraction is redone from the start and a finished one is reused,
// offline too. What an archive may expand to is bounded (`maxBytes`), against gzip bombs.
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, readdir, rename, rm } from "node:fs/promises"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream/promises"
import { createGunzip } from "node:zlib"
import { exists } from "./cache-layout.ts"
import { HubError } from "./hub-error.ts"
import { tarEntries, TarFormatError } from "./tar-entries.ts"

/** Whether `path` (a file path, or a URL's path) names a gzip-compressed tar archive, by its extension. */
export const isTarGzPath = (path: string): boolean => /\.(tar\.gz|tgz)$/i.test(path)

/** Whether `url` names a gzip-compressed tar archive, by the extension of its path. */
export const isTarGzUrl = (url: string): boolean => isTarGzPath(new URL(url).pathname)

/** Where an archive is extracted, and what a failed extraction does. */
export interface Extraction {
  /** The folder to extract into. */
  readonly root: string
  /** The most bytes its files may hold in all; an archive expanding past it is refused. */
  readonly maxBytes: number
  /** Whether an unreadable archive is deleted, so that the next run downloads it again (downloads only). */
  readonly deleteUnreadable: boolean
  /** The spec field that raises maxBytes, named when it is exceeded. */
  readonly limitField: string
}

/** The default of `Extraction.maxBytes`: 8 GiB, well past MedQuAD's 80 MB. */
export const defaultMaxArchiveBytes = 8 * 1024 ** 3

/** `entry` as a path inside the extraction folder; absolute paths and `..` could write outside it. */
const insidePath = (source: string, entry: string): string => {
  const segments = entry.split("/").filter((segment) => segment !== "" && segment !== ".")
  if (entry.startsWith("/") || segments.includes("..")) {
    throw new HubError({ source, detail: `the archive's entry ${JSON.stringify(entry)} points outside the folder it is extracted into; refusing to extract it` })
  }
  return segments.join("/")
}

const extractInto = async (archive: string, dir: string, source: string, extraction: Extraction): Promise<void> => {
  await mkdir(dir, { recursive: true })
  let written = 0
  // Counts each file's bytes as they pass, refusing the archive at the first byte past the limit.
  async function* bounded(body: AsyncIterable<Buffer>, path: string): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      written += chunk.length
      if (written > extraction.maxBytes) {
        throw new HubError({
          source,
          detail: `the archive expands past ${extraction.limitField} (${extraction.maxBytes} bytes) at ${JSON.stringify(path)}; raise ${extraction.limitField} if you trust it`,
        })
      }
      yield chunk
    }
  }
  for await (const entry of tarEntries(createReadStream(archive).pipe(createGunzip()))) {
    const path = join(dir, insidePath(source, entry.path))
    if (entry.kind === "directory") {
      await mkdir(path, { recursive: true })
      continue
    }
    await mkdir(dirname(path), { recursive: true })
    await pipeline(bounded(entry.body, entry.path), createWriteStream(path))
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
 * The folder `archive` (a .tar.gz from `source`) extracts to, extracting it into
 * `extraction.root` first when needed. An archive that is no .tar.gz is refused, and deleted
 * when it is a download, so that the next run downloads it again.
 */
export const extractedArchive = async (archive: string, source: string, extraction: Extraction): Promise<string> => {
  const { root } = extraction
  if (!(await exists(root))) {
    const partial = `${root}.incomplete`
    await rm(partial, { recursive: true, force: true })
    try {
      await extractInto(archive, partial, source, extraction)
    } catch (cause) {
      await rm(partial, { recursive: true, force: true })
      if (!isFormatError(cause)) throw cause
      if (extraction.deleteUnreadable) await rm(archive, { force: true })
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new HubError({
        source,
        detail: extraction.deleteUnreadable
          ? `${archive} is not a readable .tar.gz archive (${reason}); it was deleted: run again, and if this persists the URL serves no .tar.gz archive`
          : `not a readable .tar.gz archive (${reason}); expected a gzip-compressed tar file`,
      })
    }
    await rename(partial, root)
  }
  return topFolder(root)
}

// Data from a local path, a URL or a hub repo, under the same cache and offline rules as
// models. A URL is kept where the `datasets` library keeps downloads (HF_DATASETS_CACHE, under
// a name hashed from the URL) but in a folder of its own under the file's own name, so that
// loaders still see its extension; a .tar.gz or .tgz URL is extracted there into a folder. `hf://datasets/org/name[@revision]/path` (huggingface_hub's
// HfFileSystem notation, https://huggingface.co/docs/huggingface_hub/guides/hf_file_system)
// names a file of a hub repo, cached in `datasets--org--name` like any hub file. A local
// .tar.gz or .tgz is extracted once into the same downloads folder, under a name hashed from
// its absolute path, size and modification time, so that a changed archive is extracted anew.
import { createHash } from "node:crypto"
import { stat } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { Effect } from "effect"
import { cachedCommit, exists, repoCache, snapshotDir, writeRef } from "./cache-layout.ts"
import { downloadFile } from "./download.ts"
import { defaultMaxArchiveBytes, type Extraction, extractedArchive, isTarGzPath, isTarGzUrl } from "./extract-archive.ts"
import { asHubError, HubError } from "./hub-error.ts"
import { withLock } from "./lock.ts"
import { repoIdProblem, repoPathProblem, type RepoType } from "./repo-id.ts"
import { fetchRepoFile } from "./repo-file.ts"
import { type HubEnv, readHubSettings } from "./settings.ts"
import { downloadProgress, type Transfer } from "./transfer.ts"

export interface ResolveDataPathOptions {
  /** Where HF_* variables are read (default process.env). */
  readonly env?: HubEnv
  /** For a URL: the content's sha256 (hex), checked before the file enters the cache. */
  readonly sha256?: string
  /** The most bytes a .tar.gz may expand to (undefined: defaultMaxArchiveBytes), and the spec field that raises it. */
  readonly maxArchiveBytes?: { readonly bytes: number | undefined; readonly field: string }
}

const extractionLimit = (options: ResolveDataPathOptions) => ({
  maxBytes: options.maxArchiveBytes?.bytes ?? defaultMaxArchiveBytes,
  limitField: options.maxArchiveBytes?.field ?? "the archive limit",
})

interface HubFileRef {
  readonly type: RepoType
  readonly id: string
  readonly revision: string
  readonly path: string
}

const hubFileUrl = /^hf:\/\/(datasets\/)?([^/@]+\/[^/@]+)(?:@([^/]+))?\/(.+)$/

const parseHubFileUrl = (url: string): HubFileRef => {
  const match = hubFileUrl.exec(url)
  const [, datasets, id = "", revision = "main", path = ""] = match ?? []
  const problem = match === null ? "expected hf://datasets/org/name[@revision]/path/in/repo" : (repoIdProblem(id) ?? repoPathProblem(path))
  if (problem !== undefined) throw new HubError({ source: url, detail: problem })
  // A revision with a slash (refs/pr/1) is written encoded, as HfFileSystem does.
  return { type: datasets === undefined ? "model" : "dataset", id, revision: decodeURIComponent(revision), path }
}

const offlineError = (source: string, where: string): HubError =>
  new HubError({
    source,
    detail: `HF_HUB_OFFLINE is set and the file is not in the cache (looked for ${where}). Run once without HF_HUB_OFFLINE, or download the file yourself and give its path`,
  })

const resolveHubFile = async (transfer: Transfer, url: string): Promise<string> => {
  const file = parseHubFileUrl(url)
  const repo = repoCache(transfer.settings.cacheDir, file.type, file.id)
  return withLock(repo.dir, async () => {
    const commit = await cachedCommit(repo, file.revision)
    const cached = commit === undefined ? undefined : join(snapshotDir(repo, commit), file.path)
    if (cached !== undefined && (await exists(cached))) return cached
    if (transfer.settings.offline) throw offlineError(url, `${file.path} at revision ${file.revision} in ${repo.dir}`)
    const fetched = await fetchRepoFile(transfer, repo, file.revision, file.path)
    await writeRef(repo, file.revision, fetched.commit)
    return fetched.path
  })
}

// The URL's last path segment, made safe as a file name.
const fileNameOf = (url: string): string => {
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "").replace(/[^\w.-]/g, "_")
  return name === "" || /^\.+$/.test(name) ? "download" : name
}

const resolveUrl = async (transfer: Transfer, url: string, options: ResolveDataPathOptions): Promise<string> => {
  const { sha256 } = options
  if (!URL.canParse(url)) throw new HubError({ source: url, detail: "not a valid URL; expected one such as https://host/path/file.json" })
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new HubError({ source: url, detail: `sha256: expected 64 hexadecimal digits, got ${JSON.stringify(sha256)}` })
  const name = fileNameOf(url)
  const dest = join(transfer.settings.downloadsDir, createHash("sha256").update(url).digest("hex"), name)
  return withLock(dest, async () => {
    if (!(await exists(dest))) {
      if (transfer.settings.offline) throw offlineError(url, dest)
      const digest = sha256 === undefined ? undefined : { algorithm: "sha256" as const, hex: sha256.toLowerCase() }
      await downloadFile(transfer, { url, dest, file: name, expectedSize: undefined, digest })
    }
    const extraction: Extraction = { root: join(dirname(dest), "extracted"), deleteUnreadable: true, ...extractionLimit(options) }
    return isTarGzUrl(url) ? extractedArchive(dest, url, extraction) : dest
  })
}

const resolveLocalArchive = async (archive: string, options: ResolveDataPathOptions): Promise<string> => {
  const settings = readHubSettings(options.env ?? process.env)
  const absolute = resolve(archive)
  const { size, mtimeMs } = await stat(absolute)
  const key = createHash("sha256").update(JSON.stringify([absolute, size, mtimeMs])).digest("hex")
  const root = join(settings.downloadsDir, key, "extracted")
  return withLock(root, () => extractedArchive(absolute, archive, { root, deleteUnreadable: false, ...extractionLimit(options) }))
}

const resolveDataPathNow = async (pathOrUrl: string, options: ResolveDataPathOptions, onProgress: Transfer["onProgress"], signal: AbortSignal): Promise<string> => {
  const isUrl = /^https?:\/\//i.test(pathOrUrl)
  if (!isUrl && !pathOrUrl.startsWith("hf://")) {
    if (!(await exists(pathOrUrl))) throw new HubError({ source: pathOrUrl, detail: `no file or folder at ${resolve(pathOrUrl)}` })
    return isTarGzPath(pathOrUrl) && !(await stat(pathOrUrl)).isDirectory() ? resolveLocalArchive(pathOrUrl, options) : pathOrUrl
  }
  const transfer = { settings: readHubSettings(options.env ?? process.env), source: pathOrUrl, signal, onProgress }
  return isUrl ? resolveUrl(transfer, pathOrUrl, options) : resolveHubFile(transfer, pathOrUrl)
}

/**
 * The local path of a data file or folder: `pathOrUrl` itself when something is there, else
 * the cached copy of an http(s) URL or an `hf://` repo file, downloaded first when needed; for
 * a .tar.gz or .tgz (URL or local file), the folder it extracts to (its single top-level folder, if it has one).
 * A download reports its progress as `download` events through the caller's Events, when there are any.
 */
export const resolveDataPath = (pathOrUrl: string, options: ResolveDataPathOptions = {}): Effect.Effect<string, HubError> =>
  Effect.flatMap(downloadProgress, (onProgress) =>
    Effect.tryPromise({ try: (signal) => resolveDataPathNow(pathOrUrl, options, onProgress, signal), catch: (cause) => asHubError(pathOrUrl, cause) }),
  )

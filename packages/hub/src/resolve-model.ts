// A model folder from a local path or a Hugging Face id. An id resolves through the hub cache
// (https://huggingface.co/docs/hub/local-cache), so a model that transformers or the `hf` CLI
// already downloaded is used as is, without a request; otherwise the files a model folder
// needs are fetched into it. With HF_HUB_OFFLINE set, only the cache is looked at.
import { stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { cachedCommit, exists, isSettled, markMissing, type RepoCache, repoCache, snapshotDir, writeRef } from "./cache-layout.ts"
import { asHubError, HubError } from "./hub-error.ts"
import { withLock } from "./lock.ts"
import { coreModelFiles, missingModelFiles, optionalModelFiles, shardsOf, weightsIndexFile } from "./model-files.ts"
import { repoIdProblem, repoPathProblem } from "./repo-id.ts"
import { fetchRepoFile } from "./repo-file.ts"
import { fetchRepoInfo } from "./repo-info.ts"
import { type HubEnv, readHubSettings } from "./settings.ts"
import { downloadProgress, type Transfer } from "./transfer.ts"

export interface ResolveModelOptions {
  /** A branch, tag or commit hash (default "main"). */
  readonly revision?: string
  /** Exactly these repo files, instead of what a model folder needs. */
  readonly files?: ReadonlyArray<string>
  /** Where HF_* variables are read (default process.env). */
  readonly env?: HubEnv
}

// A string that can only be meant as a path: no hub id starts like this or has two slashes.
const looksLikePath = (s: string): boolean => /^(?:\.{1,2}(?:\/|$)|\/|~)/.test(s) || s.includes("\\") || s.split("/").length > 2

/** `path` when it is a folder; undefined when nothing is there and it may be an id. */
const localFolder = async (path: string): Promise<string | undefined> => {
  const stats = await stat(path).catch(() => undefined)
  if (stats?.isDirectory()) return path
  if (stats !== undefined) throw new HubError({ source: path, detail: "is a file; a model is a folder holding config.json and the safetensors weights" })
  if (looksLikePath(path)) throw new HubError({ source: path, detail: `no folder at ${resolve(path)}` })
  return undefined
}

/** What the cached snapshot lacks: needed files, and optional ones not known to be absent. */
const cachedState = async (repo: RepoCache, commit: string, files: ReadonlyArray<string> | undefined) => {
  const dir = snapshotDir(repo, commit)
  if (files !== undefined) {
    const present = await Promise.all(files.map((file) => exists(join(dir, file))))
    return { dir, missing: files.filter((_, i) => !present[i]), unsettled: [] }
  }
  const settled = await Promise.all(optionalModelFiles.map((file) => isSettled(repo, commit, file)))
  return { dir, missing: await missingModelFiles(dir, repo.id), unsettled: optionalModelFiles.filter((_, i) => !settled[i]) }
}

const offlineError = (repo: RepoCache, revision: string, lacking: string): HubError => {
  const flag = revision === "main" ? "" : ` --revision ${revision}`
  return new HubError({
    source: repo.id,
    detail: `HF_HUB_OFFLINE is set and ${lacking} (cache folder searched: ${repo.dir}). Run once without HF_HUB_OFFLINE, or download it with \`hf download ${repo.id}${flag}\` (\`huggingface-cli download ${repo.id}${flag}\` with older huggingface_hub), or give the path of a local model folder`,
  })
}

/** Fetches what the model folder needs (or exactly `files`) at `revision`; returns the snapshot. */
const fetchModel = async (transfer: Transfer, repo: RepoCache, revision: string, files: ReadonlyArray<string> | undefined): Promise<string> => {
  const info = await fetchRepoInfo(transfer, repo, revision)
  await writeRef(repo, revision, info.commit)
  const dir = snapshotDir(repo, info.commit)
  const ensure = async (file: string) => {
    if (!(await exists(join(dir, file)))) await fetchRepoFile(transfer, repo, info.commit, file)
  }
  const absent = (files ?? []).filter((file) => !info.files.includes(file))
  if (absent.length > 0) {
    throw new HubError({ source: repo.id, detail: `has no ${absent.join(", ")} at revision ${revision}; its files: ${info.files.join(", ")}` })
  }
  for (const file of files ?? coreModelFiles(repo.id, revision, info.files)) await ensure(file)
  if (files !== undefined) return dir
  if (await exists(join(dir, weightsIndexFile))) {
    for (const shard of await shardsOf(join(dir, weightsIndexFile), repo.id)) await ensure(shard)
  }
  for (const file of optionalModelFiles) {
    if (info.files.includes(file)) await ensure(file)
    else await markMissing(repo, info.commit, file)
  }
  return dir
}

const resolveModelNow = async (idOrPath: string, options: ResolveModelOptions, onProgress: Transfer["onProgress"], signal: AbortSignal): Promise<string> => {
  const local = await localFolder(idOrPath)
  if (local !== undefined) return local
  const idProblem = repoIdProblem(idOrPath)
  if (idProblem !== undefined) throw new HubError({ source: idOrPath, detail: `no folder here, and not a Hugging Face id: ${idProblem}` })
  const revision = options.revision ?? "main"
  if (repoPathProblem(revision) !== undefined) throw new HubError({ source: idOrPath, detail: `${JSON.stringify(revision)} is not a branch, tag or commit name` })
  const badFile = options.files?.map(repoPathProblem).find((problem) => problem !== undefined)
  if (badFile !== undefined) throw new HubError({ source: idOrPath, detail: `files: ${badFile}` })
  const settings = readHubSettings(options.env ?? process.env)
  const repo = repoCache(settings.cacheDir, "model", idOrPath)
  return withLock(repo.dir, async () => {
    const commit = await cachedCommit(repo, revision)
    const cached = commit === undefined ? undefined : await cachedState(repo, commit, options.files)
    if (cached !== undefined && cached.missing.length === 0 && (settings.offline || cached.unsettled.length === 0)) return cached.dir
    if (settings.offline) {
      throw offlineError(repo, revision, cached === undefined ? `revision ${revision} is not in the cache` : `the cached snapshot ${cached.dir} lacks ${cached.missing.join(", ")}`)
    }
    const transfer = { settings, source: idOrPath, signal, onProgress }
    // Like huggingface_hub, a cache that has what is needed serves when the hub cannot be asked
    // about the rest (no network, an expired token).
    return fetchModel(transfer, repo, revision, options.files).catch((error: unknown) => {
      if (cached === undefined || cached.missing.length > 0 || signal.aborted) throw error
      return cached.dir
    })
  })
}

/**
 * The local folder of a model: `idOrPath` itself when it is a folder, else the cache snapshot
 * of the Hugging Face id `idOrPath` at `options.revision`, downloaded first when needed (its
 * progress as `download` events through the caller's Events, when there are any).
 */
export const resolveModel = (idOrPath: string, options: ResolveModelOptions = {}): Effect.Effect<string, HubError> =>
  Effect.flatMap(downloadProgress, (onProgress) =>
    Effect.tryPromise({ try: (signal) => resolveModelNow(idOrPath, options, onProgress, signal), catch: (cause) => asHubError(idOrPath, cause) }),
  )

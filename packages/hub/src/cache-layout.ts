// The hub cache layout shared with huggingface_hub, transformers, datasets and the `hf` CLI
// (https://huggingface.co/docs/hub/local-cache): one folder per repo, `models--org--name`, with
// `blobs/<etag>` holding each file once, `snapshots/<commit>/<path>` linking into blobs,
// `refs/<revision>` holding the commit a branch or tag pointed at, and empty markers in
// `.no_exist/<commit>/<path>` for files known to be absent.
import { randomUUID } from "node:crypto"
import { copyFile, mkdir, readFile, rename, stat, symlink, unlink, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { isCommitHash, type RepoType } from "./repo-id.ts"

export interface RepoCache {
  readonly type: RepoType
  readonly id: string
  /** `<cache>/models--org--name`. */
  readonly dir: string
}

/** `models--org--name`, `datasets--org--name`: the type pluralised, slashes as `--`. */
export const repoFolderName = (type: RepoType, id: string): string => `${type}s--${id.replaceAll("/", "--")}`

export const repoCache = (cacheDir: string, type: RepoType, id: string): RepoCache => ({ type, id, dir: join(cacheDir, repoFolderName(type, id)) })

export const snapshotDir = (repo: RepoCache, commit: string): string => join(repo.dir, "snapshots", commit)

export const blobPath = (repo: RepoCache, etag: string): string => join(repo.dir, "blobs", etag)

const noExistPath = (repo: RepoCache, commit: string, file: string): string => join(repo.dir, ".no_exist", commit, file)

/** Whether `path` exists (following links: a snapshot link to a missing blob does not count). */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

/** The cached commit `revision` names (itself when it is a commit hash), if its snapshot is here. */
export const cachedCommit = async (repo: RepoCache, revision: string): Promise<string | undefined> => {
  const commit = isCommitHash(revision)
    ? revision
    : await readFile(join(repo.dir, "refs", revision), "utf8").then(
        (text) => text.trim(),
        () => undefined,
      )
  return commit !== undefined && isCommitHash(commit) && (await exists(snapshotDir(repo, commit))) ? commit : undefined
}

/** Records the commit a branch or tag points at, as huggingface_hub does after asking the hub. */
export const writeRef = async (repo: RepoCache, revision: string, commit: string): Promise<void> => {
  if (revision !== commit) await writeFileAtomic(join(repo.dir, "refs", revision), commit)
}

/** Whether `file` of `commit` is in the snapshot or marked absent from the repo. */
export const isSettled = async (repo: RepoCache, commit: string, file: string): Promise<boolean> =>
  (await exists(join(snapshotDir(repo, commit), file))) || (await exists(noExistPath(repo, commit, file)))

/** Marks `file` as absent from the repo at `commit`, so that no later call asks for it. */
export const markMissing = async (repo: RepoCache, commit: string, file: string): Promise<void> => {
  const marker = noExistPath(repo, commit, file)
  await mkdir(dirname(marker), { recursive: true })
  await writeFile(marker, "")
}

/**
 * Puts `file` into the snapshot as a relative link to its blob (`../../blobs/<etag>`, deeper for
 * files in folders), made under a temporary name and renamed into place so that a reader never
 * sees a half-made entry. Where links are not allowed (Windows without developer mode) the blob
 * is copied instead, as huggingface_hub does.
 */
export const linkIntoSnapshot = async (repo: RepoCache, commit: string, file: string, blob: string): Promise<string> => {
  const pointer = join(snapshotDir(repo, commit), file)
  await mkdir(dirname(pointer), { recursive: true })
  const temporary = `${pointer}.tmp-${randomUUID()}`
  try {
    await symlink(relative(dirname(pointer), blob), temporary).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EPERM") throw error
      return copyFile(blob, temporary)
    })
    await rename(temporary, pointer)
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  return pointer
}

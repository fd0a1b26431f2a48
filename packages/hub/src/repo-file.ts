// One repo file into the cache, as huggingface_hub's `hf_hub_download` does it: a HEAD request
// to `resolve/` gives the commit, the etag (the blob's name and digest) and the size; the blob
// is downloaded unless another revision already brought it; the snapshot links to it.
import { blobPath, exists, linkIntoSnapshot, type RepoCache } from "./cache-layout.ts"
import { digestFromEtag } from "./digest.ts"
import { downloadFile } from "./download.ts"
import { askHub, statusError } from "./http.ts"
import { HubError } from "./hub-error.ts"
import { repoPage, resolveUrl } from "./hub-urls.ts"
import { isCommitHash } from "./repo-id.ts"
import type { Transfer } from "./transfer.ts"

interface FileMetadata {
  readonly commit: string
  readonly etag: string
  readonly size: number
  /** Where the content is: the hub itself, or the CDN it redirects LFS files to. */
  readonly location: string
}

// huggingface_hub's `_normalize_etag`: weak etags count, quotes go.
const normalizeEtag = (etag: string | null): string | undefined => etag?.replace(/^W\//, "").replace(/^"|"$/g, "") || undefined

const fetchFileMetadata = async (transfer: Transfer, repo: RepoCache, revision: string, file: string): Promise<FileMetadata> => {
  const { settings, source } = transfer
  const url = resolveUrl(settings, repo, revision, file)
  const response = await askHub(transfer, url, "HEAD")
  if (response.status >= 400) throw statusError(settings, source, url, response, repoPage(settings, repo))
  // The hub's own answer describes an LFS file with X-Linked-* headers, even when it redirects.
  const header = (name: string) => response.headers.get(name)
  const commit = header("x-repo-commit")
  const etag = normalizeEtag(header("x-linked-etag") ?? header("etag"))
  const size = Number(header("x-linked-size") ?? header("content-length") ?? Number.NaN)
  const fail = (what: string) => new HubError({ source, detail: `${url} answered without ${what}: check that HF_ENDPOINT (${settings.endpoint}) is a Hugging Face hub, and any proxy` })
  if (commit === null || !isCommitHash(commit)) throw fail("the commit (X-Repo-Commit)")
  if (etag === undefined || !/^[\w.-]+$/.test(etag)) throw fail("a usable ETag, which names the file in the cache")
  if (!Number.isSafeInteger(size) || size < 0) throw fail("the file's size (X-Linked-Size or Content-Length)")
  // Without a redirect, the content is asked for at the commit, not the branch, so that it is
  // the version this etag describes even if the branch moves meanwhile.
  const location = header("location")
  return { commit, etag, size, location: location === null ? resolveUrl(settings, repo, commit, file) : new URL(location, url).href }
}

/** Fetches `file` of the repo at `revision` into the cache; returns the commit and the snapshot path. */
export const fetchRepoFile = async (transfer: Transfer, repo: RepoCache, revision: string, file: string): Promise<{ commit: string; path: string }> => {
  const metadata = await fetchFileMetadata(transfer, repo, revision, file)
  const blob = blobPath(repo, metadata.etag)
  if (!(await exists(blob))) {
    await downloadFile(transfer, { url: metadata.location, dest: blob, file, expectedSize: metadata.size, digest: digestFromEtag(metadata.etag) })
  }
  return { commit: metadata.commit, path: await linkIntoSnapshot(repo, metadata.commit, file, blob) }
}

// What a file's etag promises about its content. The hub's etag is the sha256 of an LFS file's
// content and the git blob id (sha1 of "blob <size>\0" + content) of any other file
// (https://huggingface.co/docs/hub/local-cache#blobs-content-addressed-file-storage).
// huggingface_hub's own download checks only the size; its `hf cache verify` checks these
// digests, and so does every download here, before the file enters the cache.
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"

export interface ExpectedDigest {
  readonly algorithm: "sha256" | "git-sha1"
  readonly hex: string
}

/** The digest an etag names, or undefined for an etag of another kind (which checks nothing). */
export const digestFromEtag = (etag: string): ExpectedDigest | undefined => {
  if (/^[0-9a-f]{64}$/.test(etag)) return { algorithm: "sha256", hex: etag }
  if (/^[0-9a-f]{40}$/.test(etag)) return { algorithm: "git-sha1", hex: etag }
  return undefined
}

/** The `algorithm` digest of the file at `path`, as lowercase hex. */
export const fileDigest = async (path: string, algorithm: ExpectedDigest["algorithm"]): Promise<string> => {
  const hash = createHash(algorithm === "sha256" ? "sha256" : "sha1")
  if (algorithm === "git-sha1") hash.update(`blob ${(await stat(path)).size}\0`)
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest("hex")
}

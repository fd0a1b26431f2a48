// Names that end up in URLs and cache paths are checked before use: repo ids with
// huggingface_hub's own rules (`validate_repo_id`), and revisions and file names so that no
// `..` from a user or a server's file list can reach outside the repo's cache folder.

export type RepoType = "model" | "dataset"

const repoIdPattern = /^(?:[\w.-]+\/)?[\w.-]+$/

/** Why `id` is not a hub repo id ("org/name", or "name" for old ones), or undefined if it is. */
export const repoIdProblem = (id: string): string | undefined => {
  if (!repoIdPattern.test(id) || id.split("/").some((part) => /^[.-]|[.-]$/.test(part))) {
    return "expected a Hugging Face id like \"org/name\" (letters, digits, '-', '_', '.')"
  }
  if (id.includes("--") || id.includes("..")) return "a Hugging Face id cannot contain '--' or '..'"
  if (id.endsWith(".git")) return "a Hugging Face id cannot end with '.git'"
  if (id.length > 96) return "a Hugging Face id has at most 96 characters"
  return undefined
}

/** Why `path` cannot be a file path inside a repo (absolute, `..`, empty parts), or undefined. */
export const repoPathProblem = (path: string): string | undefined =>
  path === "" || path.startsWith("/") || path.includes("\\") || path.split("/").some((part) => part === "" || part === "." || part === "..")
    ? `${JSON.stringify(path)} is not a relative path inside the repository`
    : undefined

/** A full commit hash, which names a snapshot directly (no `refs/` lookup). */
export const isCommitHash = (revision: string): boolean => /^[0-9a-f]{40}$/.test(revision)

// The hub's URLs, as huggingface_hub builds them (`hf_hub_url`, `HfApi.repo_info`).
import type { RepoCache } from "./cache-layout.ts"
import type { HubSettings } from "./settings.ts"

type Repo = Pick<RepoCache, "type" | "id">

const prefix = (repo: Repo): string => (repo.type === "dataset" ? "datasets/" : "")

/** The repo's page, where a gated repo's terms are accepted. */
export const repoPage = (settings: HubSettings, repo: Repo): string => `${settings.endpoint}/${prefix(repo)}${repo.id}`

/** `{endpoint}/{id}/resolve/{revision}/{file}`: the file's content at a revision. */
export const resolveUrl = (settings: HubSettings, repo: Repo, revision: string, file: string): string =>
  `${repoPage(settings, repo)}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`

/** `{endpoint}/api/models/{id}/revision/{revision}`: the commit a revision names and its files. */
export const repoInfoUrl = (settings: HubSettings, repo: Repo, revision: string): string =>
  `${settings.endpoint}/api/${repo.type}s/${repo.id}/revision/${encodeURIComponent(revision)}`

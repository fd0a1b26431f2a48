// Which commit a revision names and which files it holds, from the hub's API, as
// huggingface_hub's `snapshot_download` asks before fetching files.
import { Option, Schema } from "effect"
import type { RepoCache } from "./cache-layout.ts"
import { askHub, statusError } from "./http.ts"
import { HubError } from "./hub-error.ts"
import { repoInfoUrl, repoPage } from "./hub-urls.ts"
import { isCommitHash } from "./repo-id.ts"
import type { Transfer } from "./transfer.ts"

const RepoInfoJson = Schema.Struct({
  sha: Schema.String,
  siblings: Schema.Array(Schema.Struct({ rfilename: Schema.String })),
})

export interface RepoInfo {
  readonly commit: string
  /** Every file of the repo at that commit, by path. */
  readonly files: ReadonlyArray<string>
}

export const fetchRepoInfo = async (transfer: Transfer, repo: RepoCache, revision: string): Promise<RepoInfo> => {
  const { settings } = transfer
  const url = repoInfoUrl(settings, repo, revision)
  const response = await askHub(transfer, url, "GET")
  if (!response.ok) throw statusError(settings, transfer.source, url, response, repoPage(settings, repo))
  const info = Schema.decodeUnknownOption(RepoInfoJson)(await response.json().catch(() => undefined))
  if (Option.isNone(info) || !isCommitHash(info.value.sha)) {
    throw new HubError({
      source: transfer.source,
      detail: `${url} did not answer with the repository's commit and files ({"sha", "siblings"}): check that HF_ENDPOINT (${settings.endpoint}) is a Hugging Face hub`,
    })
  }
  return { commit: info.value.sha, files: info.value.siblings.map((sibling) => sibling.rfilename) }
}

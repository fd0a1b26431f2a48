// Every failure to resolve a model or data file is the user's to act on (a wrong id, a missing
// token, no network, a corrupt mirror), so it is an InputError: the CLI prints it and exits 2.
// `source` is the id, path or URL asked for; `detail` says what went wrong and what to do.
import { InputError } from "@peftlab/core"

export class HubError extends InputError("HubError") {}

/** `cause` as a HubError about `source`: kept as is when it is one already. */
export const asHubError = (source: string, cause: unknown): HubError => {
  if (cause instanceof HubError) return cause
  const code = (cause as { code?: unknown } | null)?.code
  const path = (cause as { path?: unknown } | null)?.path
  const message = cause instanceof Error ? cause.message : String(cause)
  // File-system failures come from the cache folder, which the user chooses.
  if (typeof code === "string" && typeof path === "string") {
    return new HubError({ source, detail: `cannot use ${path} (${message}); set HF_HUB_CACHE (or HF_HOME) to a writable folder` })
  }
  return new HubError({ source, detail: message })
}

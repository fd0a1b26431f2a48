// Requests to the hub and to the hosts it redirects to. The token goes to HF_ENDPOINT only:
// huggingface_hub drops the Authorization header when a download is redirected to another host
// (a CDN with a signed URL), and a data URL on another host never sees it.
import { HubError } from "./hub-error.ts"
import type { HubSettings } from "./settings.ts"
import type { Transfer } from "./transfer.ts"

const maxRedirects = 10

export interface HubRequest {
  readonly method: "GET" | "HEAD"
  readonly headers?: Readonly<Record<string, string>>
  readonly signal: AbortSignal
  /**
   * "same-origin" follows redirects within the host only and hands back one to another host, as
   * huggingface_hub's metadata request does: the hub's own answer carries the file's etag and size
   * (X-Linked-Etag, X-Linked-Size), and its Location is what to download.
   */
  readonly redirects: "same-origin" | "all"
}

/** Whether requests to `url` carry HF_TOKEN. */
export const sendsToken = (settings: HubSettings, url: string): boolean =>
  settings.token !== undefined && new URL(url).origin === new URL(settings.endpoint).origin

const headersFor = (settings: HubSettings, url: string, extra: Readonly<Record<string, string>> | undefined): Record<string, string> => ({
  "User-Agent": "peftlab-hub/0.1.0",
  // Sizes and byte ranges refer to the file itself, never to a compressed transfer.
  "Accept-Encoding": "identity",
  ...extra,
  ...(sendsToken(settings, url) ? { Authorization: `Bearer ${settings.token}` } : {}),
})

/** Fetches `url`, following redirects one hop at a time so each hop gets its own headers. */
export const hubFetch = async (settings: HubSettings, url: string, request: HubRequest): Promise<Response> => {
  let current = url
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, {
      method: request.method,
      headers: headersFor(settings, current, request.headers),
      redirect: "manual",
      signal: request.signal,
    })
    const location = response.headers.get("location")
    if (response.status < 300 || response.status > 399 || location === null) return response
    const next = new URL(location, current).href
    if (request.redirects === "same-origin" && new URL(next).origin !== new URL(current).origin) return response
    if (hop === maxRedirects) throw new Error(`more than ${maxRedirects} redirects from ${url}`)
    await response.body?.cancel()
    current = next
  }
}

/** A HubError for an answer other than success, saying what to do about it. */
export const statusError = (settings: HubSettings, source: string, url: string, response: Response, repoPage?: string): HubError => {
  const { status } = response
  // The hub explains itself in X-Error-Message (huggingface_hub's hf_raise_for_status shows it).
  const said = response.headers.get("x-error-message")
  const answer = `HTTP ${status}${said === null ? "" : `: ${said}`}`
  const origin = new URL(url).origin
  if (status === 401 || status === 403) {
    if (origin !== new URL(settings.endpoint).origin) {
      return new HubError({
        source,
        detail: `${origin} refused access to ${url} (${answer}); peftlab sends HF_TOKEN to HF_ENDPOINT (${settings.endpoint}) only: download the file yourself and give its local path`,
      })
    }
    const token = sendsToken(settings, url) ? "the token in HF_TOKEN was sent but does not grant access" : "no token was sent (HF_TOKEN is unset)"
    return new HubError({
      source,
      detail: `${settings.endpoint} refused access to ${source} (${answer}): ${token}. If ${source} is gated or private, accept its terms at ${repoPage ?? url} while logged in, then set HF_TOKEN to an access token with read permission (https://huggingface.co/settings/tokens)`,
    })
  }
  if (status === 404) return new HubError({ source, detail: `${url} was not found (${answer}); check the id, the revision and the file name` })
  return new HubError({ source, detail: `${url} answered ${answer}; try again later, or check HF_ENDPOINT (${settings.endpoint})` })
}

/** Why a request got no (whole) answer, in a few words: "ECONNREFUSED", "no answer in time". */
export const networkCause = (cause: unknown): string => {
  const error = cause as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null
  if (error?.name === "TimeoutError") return "no answer in time"
  // fetch says only "fetch failed"; its cause says why (ECONNREFUSED, ENOTFOUND, bad port).
  return String(error?.cause?.code ?? error?.cause?.message ?? error?.message ?? cause)
}

/** A HubError for a request that got no answer. */
export const unreachable = (settings: HubSettings, source: string, url: string, cause: unknown): HubError =>
  new HubError({
    source,
    detail: `cannot reach ${new URL(url).origin} (${networkCause(cause)}): check the network and HF_ENDPOINT (${settings.endpoint}), or set HF_HUB_OFFLINE=1 to use the cache only`,
  })

/**
 * A metadata request to the hub (file list, file metadata), bounded by HF_HUB_ETAG_TIMEOUT;
 * no answer at all is a HubError.
 */
export const askHub = async (transfer: Transfer, url: string, method: "GET" | "HEAD"): Promise<Response> => {
  const { settings, signal } = transfer
  try {
    return await hubFetch(settings, url, { method, signal: AbortSignal.any([signal, AbortSignal.timeout(settings.etagTimeoutMs)]), redirects: "same-origin" })
  } catch (cause) {
    if (signal.aborted) throw cause
    throw unreachable(settings, transfer.source, url, cause)
  }
}

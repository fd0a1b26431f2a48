// Downloads one file the way huggingface_hub's `http_get` does
// (https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py):
// bytes go to `<dest>.incomplete`; a download cut short resumes from there with an HTTP Range
// request, within the call (after a short pause, giving up after 5 tries in a row that bring no
// new bytes) or in a later one; the file is renamed into place only once its size and digest
// check out, so the cache never holds a bad file, and a bad download is deleted, not resumed.
import { mkdir, open, rename, rm, stat, truncate } from "node:fs/promises"
import { dirname } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { type ExpectedDigest, fileDigest } from "./digest.ts"
import { hubFetch, networkCause, statusError } from "./http.ts"
import { HubError } from "./hub-error.ts"
import type { Transfer } from "./transfer.ts"

export interface Download {
  readonly url: string
  /** Where the file ends up; `<dest>.incomplete` holds it meanwhile. */
  readonly dest: string
  /** The name progress and errors give it. */
  readonly file: string
  /** From the hub's X-Linked-Size / Content-Length; else the download's own Content-Length. */
  readonly expectedSize: number | undefined
  readonly digest: ExpectedDigest | undefined
}

const triesWithoutProgress = 5
const retryPauseMs = 250
const progressIntervalMs = 200

const sizeOf = (path: string): Promise<number> =>
  stat(path).then(
    (stats) => stats.size,
    () => 0,
  )

/** Reports progress at most every `progressIntervalMs`, and always the first and the last. */
const progressReporter = (transfer: Transfer, file: string, total: number | undefined) => {
  let last = Number.NEGATIVE_INFINITY
  return (bytes: number, final = false): void => {
    const now = Date.now()
    if (!final && now - last < progressIntervalMs) return
    last = now
    transfer.onProgress({ file, bytes, total })
  }
}

/** Aborts when `ms` pass without a call to `touch`, like HF_HUB_DOWNLOAD_TIMEOUT's read timeout. */
const idleTimeout = (ms: number, outer: AbortSignal) => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException(`no data for ${ms / 1000} s`, "TimeoutError")), ms)
  return { signal: AbortSignal.any([outer, controller.signal]), touch: () => void timer.refresh(), clear: () => clearTimeout(timer) }
}

const rejected = async (transfer: Transfer, download: Download, partial: string, problem: string): Promise<HubError> => {
  await rm(partial, { force: true })
  return new HubError({
    source: transfer.source,
    detail: `${download.file} from ${download.url}: ${problem}; the download was deleted: run again, and if this persists the server serves a corrupt file`,
  })
}

/** One request: appends the rest of the file to `partial`; returns the file's full size if known. */
const fetchInto = async (transfer: Transfer, download: Download, partial: string, expected: number | undefined): Promise<number | undefined> => {
  let start = await sizeOf(partial)
  if (expected !== undefined && start > expected) start = await truncate(partial, 0).then(() => 0) // not this file's bytes
  if (expected !== undefined && start === expected && start > 0) return expected // all here, cut short before the check
  const idle = idleTimeout(transfer.settings.downloadTimeoutMs, transfer.signal)
  try {
    const response = await hubFetch(transfer.settings, download.url, {
      method: "GET",
      headers: start > 0 ? { Range: `bytes=${start}-` } : {},
      signal: idle.signal,
      redirects: "all",
    })
    if (response.status === 416) {
      // The partial file is no prefix of what the server has now: start over.
      await response.body?.cancel()
      await truncate(partial, 0)
      throw new Error("HTTP 416: the partial download does not fit the file")
    }
    if (response.status !== 200 && response.status !== 206) throw statusError(transfer.settings, transfer.source, download.url, response)
    // A server that ignores Range sends the whole file (200).
    const offset = response.status === 206 ? start : 0
    if (offset > 0 && !response.headers.get("content-range")?.startsWith(`bytes ${offset}-`)) {
      await response.body?.cancel()
      throw await rejected(transfer, download, partial, `asked for the bytes from ${offset} on, got ${response.headers.get("content-range") ?? "no Content-Range"}`)
    }
    const length = response.headers.get("content-length")
    const total = expected ?? (length === null ? undefined : offset + Number(length))
    if (total !== undefined && length !== null && offset + Number(length) !== total) {
      await response.body?.cancel()
      throw await rejected(transfer, download, partial, `expected ${total} bytes, the server sends ${offset + Number(length)}`)
    }
    const report = progressReporter(transfer, download.file, total)
    let bytes = offset
    report(bytes, true)
    const handle = await open(partial, offset === 0 ? "w" : "a")
    try {
      for await (const chunk of response.body ?? []) {
        await handle.write(chunk)
        bytes += chunk.byteLength
        idle.touch()
        report(bytes)
      }
    } finally {
      await handle.close()
    }
    report(bytes, true)
    return total
  } finally {
    idle.clear()
  }
}

const check = async (transfer: Transfer, download: Download, partial: string, total: number | undefined): Promise<void> => {
  const size = await sizeOf(partial)
  if (total !== undefined && size !== total) throw await rejected(transfer, download, partial, `expected ${total} bytes, got ${size}`)
  const { digest } = download
  if (digest === undefined) return
  const actual = await fileDigest(partial, digest.algorithm)
  if (actual !== digest.hex) throw await rejected(transfer, download, partial, `expected ${digest.algorithm} ${digest.hex}, got ${actual}`)
}

/** Downloads `download.url` to `download.dest`, resuming any earlier partial download. */
export const downloadFile = async (transfer: Transfer, download: Download): Promise<void> => {
  const partial = `${download.dest}.incomplete`
  await mkdir(dirname(download.dest), { recursive: true })
  let total = download.expectedSize
  for (let triesLeft = triesWithoutProgress; ; ) {
    const before = await sizeOf(partial)
    try {
      total = await fetchInto(transfer, download, partial, total)
      break
    } catch (cause) {
      if (cause instanceof HubError || transfer.signal.aborted) throw cause
      const after = await sizeOf(partial)
      triesLeft = after > before ? triesWithoutProgress : triesLeft - 1
      if (triesLeft === 0) {
        throw new HubError({
          source: transfer.source,
          detail: `downloading ${download.file} from ${download.url} stopped at byte ${after}${total === undefined ? "" : ` of ${total}`} (${networkCause(cause)}): check the network, then run again to resume it`,
        })
      }
      await sleep(retryPauseMs, undefined, { signal: transfer.signal })
    }
  }
  await check(transfer, download, partial, total)
  await rename(partial, download.dest)
}

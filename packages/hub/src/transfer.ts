// What every request of one resolution shares, and its progress as the run's `download` events.
import { progressCallback, type RunEvent } from "@peftlab/core"
import type { HubSettings } from "./settings.ts"

/** Bytes of one file received so far, for a progress bar or a run event. */
export interface DownloadProgress {
  /** The repo file (`model.safetensors`) or, for a URL, the file name it is saved under. */
  readonly file: string
  readonly bytes: number
  /** Undefined when the server does not say. */
  readonly total: number | undefined
}

export interface Transfer {
  readonly settings: HubSettings
  /** The id, path or URL asked for, which errors name. */
  readonly source: string
  /** Aborted when the resolution is interrupted: requests and retries stop. */
  readonly signal: AbortSignal
  readonly onProgress: (progress: DownloadProgress) => void
}

const downloadEvent = ({ file, bytes, total }: DownloadProgress): RunEvent => ({ type: "download", file, bytes, total, done: bytes === total })

/** Progress as `download` events through the caller's Events (nothing without them). */
export const downloadProgress = progressCallback(downloadEvent)

// What every request of one resolution shares.
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
  readonly onProgress: ((progress: DownloadProgress) => void) | undefined
}

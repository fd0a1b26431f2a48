// How far a file's download is, or a model's load from disk, told the same way by the screen
// and the plain lines.
import type { RunEvent } from "@peftlab/core"
import { formatBytes, formatBytesOf } from "./format.ts"

export type DownloadEvent = Extract<RunEvent, { type: "download" }>
export type ModelLoadEvent = Extract<RunEvent, { type: "model-load" }>

/** What the screen keeps of the file downloading (or the model loading) now. */
export type Download = Pick<DownloadEvent, "file" | "bytes" | "total"> & {
  /** "loading" for a model read from disk; a download by default. */
  readonly action?: "downloading" | "loading"
}

// Rounded down, so that all parts means every byte; parts * bytes first, since
// bytes / total * 100 can fall just below a whole percent (0.29 * 100 = 28.999…).
const wholeParts = (bytes: number, total: number, parts: number): number =>
  total === 0 ? parts : Math.min(parts, Math.max(0, Math.floor((parts * bytes) / total)))

/** How many of `parts` equal parts of the file have arrived; undefined while its size is unknown. An empty file is complete. */
export const partsReceived = ({ bytes, total }: Download, parts: number): number | undefined =>
  total === undefined ? undefined : wholeParts(bytes, total, parts)

/** `45% 118/262 MiB`; only the bytes (`118 MiB`) when the size is unknown. */
export const formatDownloadProgress = ({ bytes, total }: Download): string =>
  total === undefined ? formatBytes(bytes) : `${wholeParts(bytes, total, 100)}% ${formatBytesOf(bytes, total)}`

// The throttle between an arm's events and Redis: a worker's child can emit many training steps a
// second, and each write to a job's progress is a Redis write that every submitter reads. Events
// are gathered and written as one batch at most every intervalMs (the first at once). A step, or
// an evaluation's progress, that the next event supersedes (the same arm and kind, nothing between
// them) is dropped from the batch; every other event goes, in order, so the last step before an
// epoch ends, the end of an evaluation and the last step of the training always reach Redis.
import type { RunEvent } from "@peftlab/core"

/** What a progress event reports on (its arm, and its split for an evaluation); undefined for other events. */
const progressKey = (event: RunEvent): string | undefined =>
  event.type === "train-step" ? `${event.arm}\ttrain` : event.type === "eval-progress" ? `${event.arm}\teval\t${event.split}` : undefined

/** Whether `later` makes `earlier` stale: both progress of the same arm and kind (and split). */
const supersedes = (later: RunEvent, earlier: RunEvent | undefined): boolean => {
  const key = progressKey(later)
  return key !== undefined && earlier !== undefined && key === progressKey(earlier)
}

export interface ProgressRelay {
  readonly push: (event: RunEvent) => void
  /** Writes what is gathered now; resolves once every batch so far is written. */
  readonly flush: () => Promise<void>
}

/** Batches of events written through `write`, one after another (it must not reject), at most one per `intervalMs`. */
export const progressRelay = (write: (events: ReadonlyArray<RunEvent>) => Promise<void>, intervalMs: number): ProgressRelay => {
  let pending: Array<RunEvent> = []
  let timer: NodeJS.Timeout | undefined
  let lastWrite = Number.NEGATIVE_INFINITY
  let written: Promise<void> = Promise.resolve()
  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (pending.length > 0) {
      const batch = pending
      pending = []
      lastWrite = Date.now()
      written = written.then(() => write(batch))
    }
    return written
  }
  return {
    push: (event) => {
      if (supersedes(event, pending.at(-1))) pending[pending.length - 1] = event
      else pending.push(event)
      timer ??= setTimeout(() => void flush(), Math.max(0, lastWrite + intervalMs - Date.now()))
    },
    flush,
  }
}

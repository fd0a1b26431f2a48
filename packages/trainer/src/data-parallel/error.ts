import { Data } from "effect"

/** A worker could not start, its replica failed on a step, or the worker died. */
export class DataParallelError extends Data.TaggedError("DataParallelError")<{
  /** The worker's index in the pool. */
  readonly worker: number
  readonly detail: string
}> {
  override get message(): string {
    return `data-parallel worker ${this.worker}: ${this.detail}`
  }
}

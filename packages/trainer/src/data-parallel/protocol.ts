// The messages between the pool (main thread) and each worker, all sent by structured clone.

export interface WorkerInit {
  /** The replica module's URL. */
  readonly module: string
  readonly init: unknown
}

export interface StepRequest<Batch = unknown> {
  /** The current value of each variable, in order. */
  readonly weights: ReadonlyArray<Float32Array>
  /** The worker's shard of the step's micro-batches. */
  readonly micro: ReadonlyArray<Batch>
}

export type WorkerReply =
  | { readonly type: "ready"; readonly shapes: Array<Array<number>>; readonly numTensors: number }
  | {
      readonly type: "result"
      /** Σ weight · gradient per variable; null for a variable the loss does not reach. */
      readonly grads: Array<Float32Array | null>
      readonly lossSum: number
      readonly weightSum: number
      readonly numTensors: number
    }
  | { readonly type: "failed"; readonly detail: string }

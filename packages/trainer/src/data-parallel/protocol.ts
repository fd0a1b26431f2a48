// The messages between the pool (main thread) and each worker, all sent by structured clone.

export interface WorkerInit {
  /** The replica module's URL. */
  readonly module: string
  readonly init: unknown
  /** The CPU threads the worker's backend may use (ReplicaContext). */
  readonly threads: number
}

export interface StepRequest<Batch = unknown> {
  /** Gradients of the loss, or the replica's `evaluate` of each micro-batch (batched scoring). */
  readonly kind: "gradients" | "evaluate"
  /** The current value of each variable, in order. */
  readonly weights: ReadonlyArray<Float32Array>
  /** The worker's shard of the step's micro-batches. */
  readonly micro: ReadonlyArray<Batch>
}

export type WorkerReply =
  | {
      readonly type: "ready"
      readonly shapes: Array<Array<number>>
      /** The variables' values as the replica was built, for a trainer that holds no model of its own. */
      readonly values: Array<Float32Array>
      readonly numTensors: number
    }
  | {
      readonly type: "result"
      /** Σ weight · gradient per variable; null for a variable the loss does not reach. */
      readonly grads: Array<Float32Array | null>
      readonly lossSum: number
      readonly weightSum: number
      readonly numTensors: number
    }
  | { readonly type: "evaluated"; readonly outputs: Array<unknown>; readonly numTensors: number }
  | { readonly type: "failed"; readonly detail: string }

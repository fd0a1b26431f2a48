// What a replica module provides: the model each worker builds for itself, as every rank of
// torch's DistributedDataParallel builds the same model. Workers load the module with plain
// Node (type stripping, no bundler), so it imports relative files with their .ts extension.
import type * as tf from "@tensorflow/tfjs"

export interface Replica<Batch> {
  /** The trainable variables, in the order and shapes of the variables the trainer passes. */
  readonly variables: ReadonlyArray<tf.Variable>
  /** Mean loss over the batch, built from `variables` (called under tf.variableGrads). */
  loss(batch: Batch): tf.Scalar
  /** How much the batch counts in the step's mean, e.g. its examples or target tokens. */
  weight(batch: Batch): number
  /** What scoring a batch gives (structured-cloneable), for parallel batched scoring; optional. */
  evaluate?(batch: Batch): unknown
  dispose(): void
}

/** What the pool tells each replica about the worker it runs in. */
export interface ReplicaContext {
  /**
   * CPU threads this worker's backend may use: the cores this process may use divided among the
   * pool's workers, which compute at the same time (a backend plugin's `setup({ threads })`).
   */
  readonly threads: number
}

/**
 * A replica module's default export. It sets up its own tfjs backend (the trainer depends on
 * no backend plugin); `init` arrives by structured clone, so plain data and typed arrays only.
 */
export type CreateReplica<Batch> = (init: unknown, context: ReplicaContext) => Promise<Replica<Batch>>

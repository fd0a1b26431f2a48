// What the main thread sends each data-parallel worker to build its replica of an arm from
// (arm-replica.ts, the worker's module), in a leaf of its own: the arm runner (run-arm.ts) and the
// pool (with-data-parallel.ts) fill it in without importing the replica, which imports them.
import type { SharedMatrices } from "@peftlab/models"
import type { ConcreteArm, LoadedSpec } from "@peftlab/spec"

export interface ArmReplicaInit {
  readonly loaded: LoadedSpec
  /** The data and model folders the main thread resolved (a URL's cached copy, say). */
  readonly dataPath: string
  readonly modelDir: string
  readonly backend: string
  readonly arm: ConcreteArm
  /** Training: the arm's loss; test: the trained adapter's test pass (after its afterTraining, as in the main thread). */
  readonly phase: "training" | "test"
  /** The main thread's frozen base matrices, in shared memory: the replica builds its model over them instead of loading a copy. */
  readonly shared?: SharedMatrices
}

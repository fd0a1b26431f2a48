// An arm's training on `training.workers` worker threads: a pool of replicas (arm-replica.ts)
// for the length of the training, closed afterwards however the training ends. Built into dist/,
// the replica is arm-replica.js beside this file.
import { Effect } from "effect"
import { startDataParallel, type DataParallel } from "@peftlab/trainer"
import type { ArmReplicaInit } from "./replica-init.ts"

/** Runs `use` with a pool of `workers` replicas of the arm, or with none for a single worker. */
export const withDataParallel = <A, E, R>(init: ArmReplicaInit | undefined, workers: number, use: (parallel: DataParallel<ReadonlyArray<unknown>> | undefined) => Effect.Effect<A, E, R>) =>
  workers <= 1 || !init
    ? use(undefined)
    : Effect.acquireUseRelease(
        Effect.promise(() => startDataParallel<ReadonlyArray<unknown>>({ module: new URL(import.meta.url.endsWith(".ts") ? "./arm-replica.ts" : "./arm-replica.js", import.meta.url), init, workers })),
        use,
        (pool) => Effect.promise(() => pool.close()),
      )

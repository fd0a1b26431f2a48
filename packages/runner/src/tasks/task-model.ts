// How a task kind holds the model it loads: at the spec's placement (over the main thread's
// matrices where a data-parallel worker has them), released with the run's scope.
import { Effect } from "effect"
import type { Placement, SharedMatrices } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"
import { placementFor } from "../language-model.ts"

/** The spec's placement (with its registered `methods`), over the main thread's matrices where a worker has them. */
export const placementOf = (spec: ExperimentSpec, shared: SharedMatrices | undefined, methods: ReadonlyArray<MethodPlugin<any, any>>): Placement => ({
  ...placementFor(spec, methods),
  ...(shared && { shared }),
})

/** A model loaded for the length of the run (released with the scope). */
export const scoped = <M extends { dispose(): void }, E, R>(load: Effect.Effect<M, E, R>) => Effect.acquireRelease(load, (model) => Effect.sync(() => model.dispose()))

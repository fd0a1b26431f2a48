// The exported prepareData: a classification spec's data, with its data kind looked up in the
// built-in registry. The task kind's own prepareClassificationData (tasks/classification/data.ts)
// reads the run's Registry service instead, since the built-ins' reporters reach the task kinds
// and providing the built-ins there would close an import cycle.
import { Effect } from "effect"
import type { ExperimentSpec } from "@peftlab/spec"
import { builtinRegistryLayer } from "./registry/builtins.ts"
import { prepareClassificationData } from "./tasks/classification/data.ts"

/** A classification spec's data by the built-in data kinds (a spec's plugins' kinds: prepareTask with specRegistryLayer). */
export const prepareData = (spec: ExperimentSpec) => prepareClassificationData(spec).pipe(Effect.provide(builtinRegistryLayer))

// The run's registry: the named entries of each category a plugin may add to (data kinds, PEFT
// methods, metrics, reporters, backends), which the spec names (data.kind, arm kinds,
// evaluation.metrics, backend) and the runner looks up. `Registry` is the Effect service whose
// value is the run's registry; the runner's layers give it (the built-ins, or a spec's: the
// built-ins and its plugins' entries, its names checked).
import { Context } from "effect"
import type { Registry as NamedEntries } from "@peftlab/core"
import type { BackendEntry } from "./backend-entry.ts"
import type { AnyDatasetKind } from "./dataset-kind.ts"
import type { MethodPlugin } from "./method.ts"
import type { Metric } from "./metric.ts"
import type { Reporter } from "./reporter.ts"

// A type, not an interface: the registry needs an index-signature-compatible record.
export type PeftlabCategories = {
  readonly datasets: AnyDatasetKind
  /** Arm kinds that are PEFT methods: prompt, prefix and lora built in, others from plugins. */
  readonly methods: MethodPlugin<any, any>
  readonly metrics: Metric
  readonly reporters: Reporter
  readonly backends: BackendEntry
}

/** The categories, in the order the registry lists them. */
export const registryCategories: ReadonlyArray<keyof PeftlabCategories> = ["datasets", "methods", "metrics", "reporters", "backends"]

/** A run's registry (@peftlab/core's makeRegistry over these categories). */
export type PeftlabRegistry = NamedEntries<PeftlabCategories>

/** The run's registry as an Effect service. */
export class Registry extends Context.Service<Registry, PeftlabRegistry>()("@peftlab/plugin-api/Registry") {}

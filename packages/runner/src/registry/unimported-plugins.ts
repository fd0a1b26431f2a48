// What `peftlab validate` checks of a spec's registered names without importing its plugins
// (importing runs their code, which only `peftlab run --allow-plugins` does): where the spec lists
// plugins, a backend, data kind, metric or arm kind the built-ins lack may be one of theirs, so it
// is left for run to check (with that arm's options) and named in a note; every other problem is
// reported as run would, the options of the built-in methods' arms (prompt, prefix, lora) among them.
import { Effect } from "effect"
import type { PeftlabRegistry } from "@peftlab/plugin-api"
import { formatIssue, isBuiltinArm, placeIssue, type FieldIssue, type LoadedSpec, type SpecError } from "@peftlab/spec"
import { taskKindOf } from "../tasks/task-kinds.ts"
import { writtenIndexOf } from "../written-arm.ts"
import { builtinRegistry } from "./builtins.ts"
import { failOnIssues, registeredNameIssues } from "./check-spec.ts"
import { standardColumns } from "./metrics.ts"

interface PluginName {
  readonly path: FieldIssue["path"]
  readonly name: string
}

/** The fields naming something the built-ins lack, which a plugin may register. */
const pluginNames = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<PluginName> => {
  const { spec } = loaded
  const lacks = (category: "backends" | "datasets", path: FieldIssue["path"], name: string): Array<PluginName> => (registry.has(category, name) ? [] : [{ path, name }])
  // Task kinds with fixed sets of metrics (generative QA, span extraction) are not extended by plugins.
  const metricNames = taskKindOf(spec.task).fixedMetrics ? [] : spec.evaluation.metrics
  const indexOf = writtenIndexOf(spec)
  const arms = new Map(spec.arms.filter((arm) => !isBuiltinArm(arm) && !registry.has("methods", arm.kind)).map((arm) => [indexOf(arm), arm.kind]))
  return [
    ...lacks("backends", ["backend"], spec.backend),
    ...lacks("datasets", ["data", "kind"], spec.data.kind),
    ...metricNames.flatMap((name, i) => ((standardColumns as ReadonlyArray<string>).includes(name) || registry.has("metrics", name) ? [] : [{ path: ["evaluation", "metrics", i], name }])),
    ...[...arms].map(([index, kind]) => ({ path: ["arms", index], name: kind })),
  ]
}

const within = (issue: FieldIssue, { path }: PluginName): boolean => path.every((part, i) => issue.path[i] === part)

/**
 * Checks the spec's registered names against the built-ins alone; fails with the problems a plugin
 * cannot be the answer to, else gives the names left for run, each as `field: "name" (line L:C)`.
 */
export const checkNamesWithoutPlugins = (loaded: LoadedSpec): Effect.Effect<ReadonlyArray<string>, SpecError> => {
  const registry = builtinRegistry()
  const left = loaded.spec.plugins.length === 0 ? [] : pluginNames(loaded, registry)
  const issues = registeredNameIssues(loaded, registry).filter((issue) => !left.some((name) => within(issue, name)))
  const place = placeIssue(loaded.locations)
  return failOnIssues(loaded, issues).pipe(
    Effect.as(
      left.map(({ path, name }) => formatIssue(place({ path: path[0] === "arms" ? [...path, "kind"] : path, expected: "", found: "", message: JSON.stringify(name) }))),
    ),
  )
}

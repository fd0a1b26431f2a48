// The plugin contract: peftlab imports this module for a spec that lists it under `plugins`
// and calls `register` with the run's registry, before it checks the spec's names.
import type { PeftlabRegistry } from "@peftlab/plugin-api"
import { clinicalNotesKind } from "./clinical-notes.ts"
import { positiveRecall } from "./positive-recall.ts"

export { clinicalNotesKind, outcomeLabels } from "./clinical-notes.ts"
export { positiveLabel, positiveRecall } from "./positive-recall.ts"

export const register = (registry: PeftlabRegistry): void => {
  registry.add("datasets", clinicalNotesKind)
  registry.add("metrics", positiveRecall)
}

// Arms as the spec file writes them: sweeps and seeds expand one written arm into several that
// share its `group`, and an error about an expanded arm's field points at the written arm.
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"

/** Each expanded arm's index in the spec's `arms` as written. */
export const writtenIndexOf = (spec: ExperimentSpec): ((arm: ConcreteArm) => number) => {
  const groups = [...new Set(spec.arms.map((arm) => arm.group))]
  return (arm) => groups.indexOf(arm.group)
}

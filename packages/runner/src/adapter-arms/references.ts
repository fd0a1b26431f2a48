// The existing adapters a spec names: each adapter arm's path and each trainable arm's
// init_from, with the written arm (its index in the spec file) that names it.
import { isBuiltinArm, methodArmOptions, renderPath, type ConcreteArm, type ExperimentSpec } from "@peftlab/spec"
import { writtenIndexOf } from "../written-arm.ts"

export interface AdapterReference {
  readonly arm: ConcreteArm
  /** The arm's index in the spec as written (before sweeps and seeds expand it). */
  readonly index: number
  readonly field: "path" | "init_from"
  readonly written: string
}

/** The existing adapter a method arm starts from (its option init_from), if it names one. */
export const initFromOf = (arm: { readonly kind: string }): string | undefined => {
  const initFrom = isBuiltinArm(arm) ? undefined : methodArmOptions(arm)["init_from"]
  return typeof initFrom === "string" ? initFrom : undefined
}

export const adapterReferences = (spec: ExperimentSpec): Array<AdapterReference> => {
  const indexOf = writtenIndexOf(spec)
  return spec.arms.flatMap((arm): Array<AdapterReference> => {
    const index = indexOf(arm)
    if (isBuiltinArm(arm) && arm.kind === "adapter") return [{ arm, index, field: "path", written: arm.path }]
    const initFrom = initFromOf(arm)
    return initFrom === undefined ? [] : [{ arm, index, field: "init_from", written: initFrom }]
  })
}

/** `arms[2].init_from`: where errors about the reference point. */
export const referenceSource = (reference: AdapterReference): string => renderPath(["arms", reference.index, reference.field])

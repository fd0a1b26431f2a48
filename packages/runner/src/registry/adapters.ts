// The spec's own arm kinds (base, fine-tune, adapter), each one of arms.ts' adapter builders: a
// fixed record of the runner's, outside the registry, since they are the spec's and no plugin
// adds to them. Every other kind is a registered method's (registry/methods.ts).
import type { ConcreteArm } from "@peftlab/spec"
import { createAdapterArm, createFineTuneArm, createFrozenBase, type AdapterContext, type ArmAdapter } from "../arms.ts"

/** One of the arm kinds: builds the adapter that an arm of that kind trains and evaluates. */
export interface AdapterKind {
  readonly name: string
  readonly create: (arm: ConcreteArm, context: AdapterContext) => Promise<ArmAdapter>
}

/** The spec's own arm kinds. */
export type OwnArmKind = "base" | "fine-tune" | "adapter"

type ArmOfKind<K extends string> = Extract<ConcreteArm, { readonly kind: K }>

/** An adapter kind whose builder takes only arms of that kind. */
const adapterKind = <K extends OwnArmKind>(name: K, create: (arm: ArmOfKind<K>, context: AdapterContext) => Promise<ArmAdapter>): AdapterKind => ({
  name,
  create: (arm, context) => {
    // Kinds are looked up by arm.kind, so a mismatch is a bug.
    if (arm.kind !== name) throw new Error(`adapter kind ${name} was given an arm of kind ${arm.kind}`)
    return create(arm as ArmOfKind<K>, context)
  },
})

/** In this order, the order the spec's own kinds are listed in beside the methods' (armKindNames). */
export const ownArmKinds: Readonly<Record<OwnArmKind, AdapterKind>> = {
  base: adapterKind("base", createFrozenBase),
  "fine-tune": adapterKind("fine-tune", createFineTuneArm),
  adapter: adapterKind("adapter", createAdapterArm),
}

export const isOwnArmKind = (kind: string): kind is OwnArmKind => Object.hasOwn(ownArmKinds, kind)

// The built-in arm kinds, each one of arms.ts' adapter builders.
import type { ConcreteArm } from "@peftlab/spec"
import { createAdapterArm, createFineTuneArm, createFrozenBase, createLoraArm, createPrefixArm, createPromptArm, type AdapterContext, type ArmAdapter } from "../arms.ts"
import type { AdapterKind } from "./entries.ts"

type ArmOfKind<K extends string> = Extract<ConcreteArm, { readonly kind: K }>

/** An adapter kind whose builder takes only arms of that kind. */
const adapterKind = <K extends ConcreteArm["kind"]>(name: K, create: (arm: ArmOfKind<K>, context: AdapterContext) => Promise<ArmAdapter>): AdapterKind => ({
  name,
  create: (arm, context) => {
    // The registry looks kinds up by arm.kind, so a mismatch is a registration bug.
    if (arm.kind !== name) throw new Error(`adapter kind ${name} was given an arm of kind ${arm.kind}`)
    return create(arm as ArmOfKind<K>, context)
  },
})

export const builtinAdapterKinds: ReadonlyArray<AdapterKind> = [
  adapterKind("base", createFrozenBase),
  adapterKind("fine-tune", createFineTuneArm),
  adapterKind("prompt", createPromptArm),
  adapterKind("prefix", createPrefixArm),
  adapterKind("lora", createLoraArm),
  adapterKind("adapter", createAdapterArm),
]

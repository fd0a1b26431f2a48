// Several named LoRA adapters on one frozen base, one of them active at a time, as PEFT's
// add_adapter / set_adapter. Each adapter keeps its own modules, so switching costs nothing.
import type { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import type { LoraConfig } from "./config.ts"
import { createLora, type LoraAdapter } from "./lora.ts"

export interface LoraModel {
  readonly model: BaseModel
  readonly adapters: ReadonlyMap<string, LoraAdapter>
  /** The adapter in use: the first one added until setActive picks another. */
  readonly active: LoraAdapter
  /** Adds an adapter under a new name; it becomes active when it is the first. */
  add(name: string, config: LoraConfig, rng: Rng): LoraAdapter
  setActive(name: string): void
  /** Frees every adapter; the base model stays the caller's. */
  dispose(): void
}

export const createLoraModel = (model: BaseModel): LoraModel => {
  const adapters = new Map<string, LoraAdapter>()
  let activeName: string | undefined
  const named = (name: string): LoraAdapter => {
    const adapter = adapters.get(name)
    if (adapter === undefined) throw new RangeError(`no LoRA adapter named "${name}" (have: ${[...adapters.keys()].join(", ")})`)
    return adapter
  }
  const self: LoraModel = {
    model,
    adapters,
    get active() {
      if (activeName === undefined) throw new RangeError("no LoRA adapter added yet")
      return named(activeName)
    },
    add: (name, config, rng) => {
      if (adapters.has(name)) throw new RangeError(`a LoRA adapter named "${name}" already exists`)
      const adapter = createLora(model, config, rng)
      adapters.set(name, adapter)
      activeName ??= name
      return adapter
    },
    setActive: (name) => {
      named(name)
      activeName = name
    },
    dispose: () => {
      adapters.forEach((adapter) => adapter.dispose())
      adapters.clear()
      activeName = undefined
    },
  }
  return self
}

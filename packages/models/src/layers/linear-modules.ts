// A model's `linears` map (ModelCommon.linears) and the lookup its forward passes make on every
// call, so that a module an adapter puts in the map by HF name is the one used.
import type { Linear } from "./linear.ts"

export interface LinearModules {
  readonly linears: Map<string, Linear>
  /** The module now registered under `name`. */
  module(name: string): Linear
}

export const linearModules = (modules: ReadonlyArray<Linear>): LinearModules => {
  const linears = new Map(modules.map((m) => [m.name, m]))
  return {
    linears,
    module: (name) => {
      const found = linears.get(name)
      if (found === undefined) throw new Error(`the model has no linear module "${name}"`)
      return found
    },
  }
}

// LoRA's modules are put into the model only for the length of a call and the originals put
// back after it, so several adapters can share one base model without seeing each other's modules.
import type { BaseModel, Linear } from "@peftlab/models"

const swapIn = (model: BaseModel, linears: ReadonlyMap<string, Linear> | undefined): (() => void) => {
  if (!linears || linears.size === 0) return () => {}
  const originals = [...linears.keys()].map((name) => {
    const original = model.linears.get(name)
    if (original === undefined) throw new RangeError(`the model has no linear module "${name}" to replace`)
    return [name, original] as const
  })
  linears.forEach((module, name) => model.linears.set(name, module))
  return () => originals.forEach(([name, original]) => model.linears.set(name, original))
}

/** Runs `f` with `linears` in place of the model's modules of the same names. */
export const withLinears = <A>(model: BaseModel, linears: ReadonlyMap<string, Linear> | undefined, f: () => A): A => {
  const restore = swapIn(model, linears)
  try {
    return f()
  } finally {
    restore()
  }
}

/** withLinears for an asynchronous call (generation reads tokens back between steps). */
export const withLinearsAsync = async <A>(model: BaseModel, linears: ReadonlyMap<string, Linear> | undefined, f: () => Promise<A>): Promise<A> => {
  const restore = swapIn(model, linears)
  try {
    return await f()
  } finally {
    restore()
  }
}
